import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '@podsync/api-client';
import {
  BusNamespace,
  EmbeddedEventBus,
  type EventBus,
  LEADER_SUBJECT,
  NatsEventBus,
  OPS_SUBJECTS,
  POD_STATUS_SUBJECT,
  ROUND_FINISHED_SUBJECT,
} from '@podsync/bus';
import { loadConfig } from '@podsync/domain';
import { createFastifyAdapter, EVENT_BUS } from '@podsync/platform';
import { deleteNamespaceStreams, testNamespace } from '../../../../test/support/jetstream-streams';
import { openEventStream } from '../../../../test/support/event-stream-reader';
import { httpRequest } from '../../../../test/support/http-request';
import { TEST_SERVERS } from '../../../../test/support/servers';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database';
import { waitUntil } from '../../../../test/support/wait-until';
import { GatewayAppModule } from '../gateway-app.module';
import { FOLLOWED_STREAMS } from './event-cursor';
import { DEFAULT_EVENT_STREAM_SETTINGS, EVENT_STREAM_SETTINGS } from './event-stream.service';
import type { SseConnectionSettings } from './sse-connection';

const READER_TOKEN = 'events-reader-token';
const logger = pino({ level: 'silent' });

interface EventsGateway {
  url: string;
  bus: EventBus;
  /** Server-side followers still attached: consumers on the NATS streams, listeners on the embedded bus. */
  followers(): Promise<number>;
  close(): Promise<void>;
}

/** The gateway on its own database, listening on a free port, with the bus replaced by the one under test. */
async function startEventsGateway(
  kind: 'embedded' | 'nats',
  settings: SseConnectionSettings = DEFAULT_EVENT_STREAM_SETTINGS,
): Promise<EventsGateway> {
  const database: TestDatabase = await createTestDatabase();
  const namespace = testNamespace();
  const bus: EventBus =
    kind === 'embedded'
      ? new EmbeddedEventBus({ logger })
      : await NatsEventBus.connect({ servers: TEST_SERVERS.nats.url, logger, namespace });
  const config = loadConfig({ DATABASE_URL: database.url, LOG_LEVEL: 'warn', PODSYNC_API_TOKENS: `${READER_TOKEN}:reader` });
  const moduleRef = await Test.createTestingModule({ imports: [GatewayAppModule.forRoot(config)] })
    .overrideProvider(EVENT_BUS)
    .useValue(bus)
    .overrideProvider(EVENT_STREAM_SETTINGS)
    .useValue(settings)
    .compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createFastifyAdapter(), { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');

  const natsConsumers = async (): Promise<number> => {
    const connection = await connect({ servers: TEST_SERVERS.nats.url });
    try {
      const manager = await jetstreamManager(connection);
      let count = 0;
      for (const stream of FOLLOWED_STREAMS) {
        count += (await manager.streams.info(new BusNamespace(namespace).stream(stream).name)).state.consumer_count;
      }
      return count;
    } finally {
      await connection.close();
    }
  };
  return {
    url,
    bus,
    followers: async () => (bus instanceof EmbeddedEventBus ? bus.followerCount() : natsConsumers()),
    async close() {
      await app.close();
      if (kind === 'nats') await deleteNamespaceStreams(TEST_SERVERS.nats.url, namespace);
      await database.drop();
    },
  };
}

let nextOperationId = 1;
function operation(clientId: number, kind: 'create' | 'delete' | 'restart' = 'create') {
  const id = nextOperationId++;
  return {
    id,
    epoch: 1,
    round: 1,
    replicaId: 'replica-a',
    kind,
    pod: `vwap-${clientId}`,
    clientId,
    algorithm: 'VWAP',
    result: 'ok',
    at: new Date(Date.UTC(2026, 11, 1, 12, 0, id)).toISOString(),
  };
}

const round = {
  round: 3,
  epoch: 1,
  trigger: 'periodic',
  planned: 2,
  done: 2,
  failed: 0,
  guarded: false,
  at: '2026-12-01T12:00:00.000Z',
};
const leader = { replicaId: 'replica-a', epoch: 2, at: '2026-12-01T12:00:00.000Z' };
const podStatus = { clientId: 7, pod: 'vwap-7', algorithm: 'VWAP', phase: 'Running', ready: true, restarts: 0 };

describe.each(['embedded', 'nats'] as const)('GET /api/v1/events/stream (%s bus)', (kind) => {
  let gateway: EventsGateway;
  const open = (
    options: { clientId?: number; types?: ('operation' | 'pod-status' | 'leader' | 'round')[]; lastEventId?: string } = {},
  ) => openEventStream({ url: gateway.url, token: READER_TOKEN, ...options });

  beforeAll(async () => {
    gateway = await startEventsGateway(kind);
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('sends operations, pod status, leader changes and finished rounds, each with an id and its type', async () => {
    const stream = await open();
    const create = operation(7);
    await gateway.bus.publish(OPS_SUBJECTS.create, create);
    await gateway.bus.publish(POD_STATUS_SUBJECT, podStatus);
    await gateway.bus.publish(LEADER_SUBJECT, leader);
    await gateway.bus.publish(ROUND_FINISHED_SUBJECT, round);

    const events = await stream.received(4);
    await stream.close();
    expect(events.map((event) => [event.type, event.data])).toEqual([
      ['operation', create],
      ['pod-status', podStatus],
      ['leader', leader],
      ['round', round],
    ]);
    expect(new Set(events.map((event) => event.id)).size).toBe(4);
    for (const event of events) expect(event.id).toMatch(/^[0-9]+-[0-9]+$/);
  });

  it('answers with text/event-stream and no caching', async () => {
    const abort = new AbortController();
    const response = await fetch(`${gateway.url}/api/v1/events/stream`, {
      headers: { authorization: `Bearer ${READER_TOKEN}` },
      signal: abort.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('cache-control')).toContain('no-cache');
    abort.abort();
  });

  it('keeps only the listed types, and only one client’s events with clientId', async () => {
    const rounds = await open({ types: ['round', 'leader'] });
    const client8 = await open({ clientId: 8 });
    const ops8 = operation(8, 'delete');
    await gateway.bus.publish(OPS_SUBJECTS.create, operation(7));
    await gateway.bus.publish(POD_STATUS_SUBJECT, podStatus);
    await gateway.bus.publish(OPS_SUBJECTS.delete, ops8);
    await gateway.bus.publish(POD_STATUS_SUBJECT, { ...podStatus, clientId: 8, pod: 'vwap-8' });
    await gateway.bus.publish(ROUND_FINISHED_SUBJECT, round);

    expect((await rounds.received(1)).map((event) => event.type)).toEqual(['round']);
    expect((await client8.received(2)).map((event) => [event.type, event.data])).toEqual([
      ['operation', ops8],
      ['pod-status', { ...podStatus, clientId: 8, pod: 'vwap-8' }],
    ]);
    // A marker after everything else: once it arrived, nothing filtered out can still come.
    const marker = operation(8, 'restart');
    await gateway.bus.publish(OPS_SUBJECTS.restart, marker);
    await client8.received(3);
    await gateway.bus.publish(LEADER_SUBJECT, leader);
    await rounds.received(2);
    await Promise.all([rounds.close(), client8.close()]);
    expect(rounds.events.map((event) => event.type)).toEqual(['round', 'leader']);
    expect(client8.events.map((event) => event.data)).toEqual([ops8, { ...podStatus, clientId: 8, pod: 'vwap-8' }, marker]);
  });

  it('resumes after Last-Event-ID without a gap and without a duplicate, across both streams', async () => {
    const first = await open({ clientId: 9 });
    const before = [operation(9), operation(9, 'restart')];
    await gateway.bus.publish(OPS_SUBJECTS.create, before[0]);
    await gateway.bus.publish(OPS_SUBJECTS.restart, before[1]);
    const received = await first.received(2);
    const lastEventId = await first.close();
    expect(lastEventId).toBe(received[1]?.id);

    // Published while the client is away: on both streams, interleaved.
    const missed = [operation(9, 'delete'), { ...podStatus, clientId: 9, pod: 'vwap-9' }, operation(9)];
    await gateway.bus.publish(OPS_SUBJECTS.delete, missed[0]);
    await gateway.bus.publish(POD_STATUS_SUBJECT, missed[1]);
    await gateway.bus.publish(OPS_SUBJECTS.create, missed[2]);

    const resumed = await open({ clientId: 9, ...(lastEventId === undefined ? {} : { lastEventId }) });
    const after = operation(9, 'restart');
    await gateway.bus.publish(OPS_SUBJECTS.restart, after);
    await resumed.received(4);
    await resumed.close();
    // Each stream resumes in its own order; a replayed backlog comes stream by stream.
    const ofType = (type: string) => resumed.events.filter((event) => event.type === type).map((event) => event.data);
    expect(resumed.events).toHaveLength(4);
    expect(ofType('operation')).toEqual([missed[0], missed[2], after]);
    expect(ofType('pod-status')).toEqual([missed[1]]);
  });

  it('refuses unknown types, unknown parameters and malformed ids with 400', async () => {
    const refusal = (options: Parameters<typeof open>[0]) =>
      open(options).then(
        () => undefined,
        (error: unknown) => error,
      );
    const unknownType = await refusal({ types: ['ops' as 'operation'] });
    expect(unknownType).toBeInstanceOf(ApiError);
    expect(unknownType).toMatchObject({ status: 400, message: expect.stringContaining('unknown event type "ops"') });
    expect(await refusal({ lastEventId: 'yesterday' })).toMatchObject({
      status: 400,
      message: expect.stringContaining('Last-Event-ID must be an event id'),
    });
    const unknownParameter = await httpRequest(gateway.url, 'GET', '/api/v1/events/stream?client=1', {
      headers: { authorization: `Bearer ${READER_TOKEN}` },
    });
    expect(unknownParameter.status).toBe(400);
    expect(unknownParameter.body.message).toContain('unknown query parameter "client"');
  });

  it('answers 401 without a token or with a wrong one', async () => {
    const missing = await httpRequest(gateway.url, 'GET', '/api/v1/events/stream');
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({ status: 'error', message: 'send Authorization: Bearer <token>' });
    const wrong = await openEventStream({ url: gateway.url, token: 'not-a-token' }).catch((error: unknown) => error);
    expect(wrong).toMatchObject({ status: 401, message: 'the bearer token is not valid' });
  });

  it('releases its followers when the client disconnects', async () => {
    await waitUntil(async () => (await gateway.followers()) === 0, 'no followers before the test');
    const streams = await Promise.all([open(), open({ types: ['round'] })]);
    expect(await gateway.followers()).toBe(2 * FOLLOWED_STREAMS.length);
    await Promise.all(streams.map((stream) => stream.close()));
    await waitUntil(async () => (await gateway.followers()) === 0, 'the followers to be released');
  });
});

describe('GET /api/v1/events/stream when the gateway stops', () => {
  it('ends the open streams, so that the gateway closes instead of waiting for its clients', async () => {
    const gateway = await startEventsGateway('embedded');
    const stream = await openEventStream({ url: gateway.url, token: READER_TOKEN });
    await gateway.close();
    await expect(stream.finished).resolves.toMatch(/^[0-9]+-[0-9]+$/);
  });
});

describe('GET /api/v1/events/stream when its bus ends the followers', () => {
  it('ends the response, so that the client reconnects and resumes', async () => {
    const gateway = await startEventsGateway('embedded');
    try {
      const stream = await openEventStream({ url: gateway.url, token: READER_TOKEN });
      await gateway.bus.close();
      await expect(stream.finished).resolves.toMatch(/^[0-9]+-[0-9]+$/);
    } finally {
      await gateway.close();
    }
  });
});

describe('GET /api/v1/events/stream while nothing happens', () => {
  it('sends a heartbeat comment, which a client ignores', async () => {
    const gateway = await startEventsGateway('embedded', { ...DEFAULT_EVENT_STREAM_SETTINGS, heartbeatMs: 50 });
    const abort = new AbortController();
    try {
      const response = await fetch(`${gateway.url}/api/v1/events/stream`, {
        headers: { authorization: `Bearer ${READER_TOKEN}` },
        signal: abort.signal,
      });
      let received = '';
      const decoder = new TextDecoder();
      for await (const chunk of response.body ?? []) {
        received += decoder.decode(chunk, { stream: true });
        if (received.includes(': ping\n\n')) break;
      }
      expect(received).toMatch(/^retry: 2000\nid: [0-9]+-[0-9]+\n\n(: ping\n\n)+$/);
    } finally {
      abort.abort();
      await gateway.close();
    }
  });
});
