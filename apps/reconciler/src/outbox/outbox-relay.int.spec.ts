import { setTimeout as sleep } from 'node:timers/promises';
import { BusPrefix, EmbeddedEventBus, type EventBus, EVENTS_STREAM, NatsEventBus, type PublishOptions } from '@podsync/bus';
import { appendOutbox, type Database, eventMessage, oldestOutbox, type OutboxRow } from '@podsync/db';
import { EVENT_SUBJECTS, type EventMessage, eventMessageSchema } from '@podsync/domain';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deletePrefixStreams, readStream, streamInfo, testPrefix } from '../../../../test/support/jetstream-streams';
import { type NatsServerProcess, startNatsServer } from '../../../../test/support/nats-server-process';
import { TEST_SERVERS } from '../../../../test/support/servers';
import { createMigratedDatabase, type MigratedTestDatabase } from '../../../../test/support/test-database';
import { OutboxRelay, type OutboxRelayOptions } from './outbox-relay';

const logger = pino({ level: 'silent' });
const CLIENTS_PER_WRITER = 3;
const QUICK_RETRY: OutboxRelayOptions = { retryInitialMs: 20, retryMaxMs: 200 };
const SUBJECTS = Object.values(EVENT_SUBJECTS);

/** Polls until `check` holds; fails after `timeoutMs`. */
async function eventually(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** What the leader does with a relay: drain again and again until stopped. */
function runRelay(relay: OutboxRelay): { published: OutboxRow[]; stop(): Promise<void> } {
  const controller = new AbortController();
  const published: OutboxRow[] = [];
  const running = (async () => {
    while (!controller.signal.aborted) {
      const rows = await relay.drain(controller.signal);
      published.push(...rows);
      if (rows.length === 0) await sleep(10, undefined, { signal: controller.signal }).catch(() => undefined);
    }
  })();
  return {
    published,
    async stop() {
      controller.abort();
      await running;
    },
  };
}

/**
 * Writes `count` outbox rows from `writers` concurrent writers. Each client belongs to one writer,
 * which writes its rows one after the other, so each client's rows commit in id order.
 */
async function writeEvents(
  database: Database,
  count: number,
  writers: number,
  afterWrite: (n: number) => Promise<void> = async () => undefined,
) {
  const written: OutboxRow[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      for (let n = next++; n < count; n = next++) {
        const clientId = writer * CLIENTS_PER_WRITER + (n % CLIENTS_PER_WRITER) + 1;
        const subject = SUBJECTS[n % SUBJECTS.length] ?? EVENT_SUBJECTS.clientUpdated;
        written.push(await appendOutbox(database.db, subject, clientId, { n }));
        await afterWrite(written.length);
      }
    }),
  );
  return written;
}

function parseStored(
  messages: Array<{ msgId: string | undefined; payload: unknown }>,
): Array<EventMessage & { msgId: string | undefined }> {
  return messages.map((message) => ({ ...eventMessageSchema.parse(message.payload), msgId: message.msgId }));
}

/** Every written row is in the stream exactly once, under its own event id, and each client's rows in id order. */
function expectExactlyOnceInClientOrder(stored: Array<EventMessage & { msgId: string | undefined }>, written: OutboxRow[]): void {
  expect(stored.map((event) => event.msgId)).toEqual(stored.map((event) => event.eventId));
  expect(stored.map((event) => event.id).sort((a, b) => a - b)).toEqual(written.map((row) => row.id).sort((a, b) => a - b));
  expect(new Set(stored.map((event) => event.eventId))).toEqual(new Set(written.map((row) => row.eventId)));
  const lastIdOfClient = new Map<number, number>();
  for (const event of stored) {
    expect(event.id).toBeGreaterThan(lastIdOfClient.get(event.clientId) ?? 0);
    lastIdOfClient.set(event.clientId, event.id);
  }
}

describe(OutboxRelay.name, () => {
  let testDatabase: MigratedTestDatabase;
  let database: Database;
  const cleanUps: Array<() => Promise<void>> = [];

  beforeEach(async () => {
    testDatabase = await createMigratedDatabase();
    ({ database } = testDatabase);
  });

  afterEach(async () => {
    for (const cleanUp of cleanUps.splice(0).reverse()) await cleanUp().catch(() => undefined);
    await testDatabase.dispose();
  });

  async function natsBus(url: string, prefix: string, options: { publishTimeoutMs?: number; reconnectWaitMs?: number } = {}) {
    const bus = await NatsEventBus.connect({ servers: url, logger, prefix, ...options });
    cleanUps.push(() => bus.close());
    return bus;
  }

  it('publishes every row exactly once when the relay is stopped midway and a new one takes over', async () => {
    const prefix = testPrefix();
    cleanUps.push(() => deletePrefixStreams(TEST_SERVERS.nats.url, prefix));
    const streamName = new BusPrefix(prefix).stream(EVENTS_STREAM).name;
    const firstRelay = runRelay(new OutboxRelay(database.db, await natsBus(TEST_SERVERS.nats.url, prefix), logger, QUICK_RETRY));

    const writing = writeEvents(database, 1_000, 4);
    await eventually(() => firstRelay.published.length >= 300, 20_000);
    await firstRelay.stop();
    const secondRelay = runRelay(new OutboxRelay(database.db, await natsBus(TEST_SERVERS.nats.url, prefix), logger, QUICK_RETRY));
    const written = await writing;
    await eventually(async () => (await oldestOutbox(database.db, 1)).length === 0, 20_000);
    await secondRelay.stop();

    expect((await streamInfo(TEST_SERVERS.nats.url, streamName)).state.messages).toBe(1_000);
    expectExactlyOnceInClientOrder(parseStored(await readStream(TEST_SERVERS.nats.url, streamName)), written);
    expect(await oldestOutbox(database.db, 1)).toEqual([]);
  }, 60_000);

  it('publishes every row exactly once across a restart of the NATS server', async () => {
    const server: NatsServerProcess = await startNatsServer();
    cleanUps.push(() => server.dispose());
    const prefix = testPrefix();
    const streamName = new BusPrefix(prefix).stream(EVENTS_STREAM).name;
    const bus = await natsBus(server.url, prefix, { publishTimeoutMs: 500, reconnectWaitMs: 100 });
    const warnings: string[] = [];
    const relayLogger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(line) });
    const relay = runRelay(new OutboxRelay(database.db, bus, relayLogger, QUICK_RETRY));

    const written = await writeEvents(database, 500, 2, async (count) => {
      if (count === 150) await server.stop();
      if (count === 350) await server.start();
    });
    await eventually(async () => (await oldestOutbox(database.db, 1)).length === 0, 30_000);
    await relay.stop();

    expect(warnings.some((line) => line.includes('could not publish an outbox event'))).toBe(true);
    expect((await streamInfo(server.url, streamName)).state.messages).toBe(500);
    expectExactlyOnceInClientOrder(parseStored(await readStream(server.url, streamName)), written);
  }, 90_000);

  it('stops a batch at a failed publish and sends the rest, in order, on a later drain', async () => {
    const bus = new EmbeddedEventBus({ logger });
    cleanUps.push(() => bus.close());
    const received: unknown[] = [];
    bus.subscribe('podsync.events.>', (payload) => {
      received.push(payload);
    });
    const rows: OutboxRow[] = [];
    for (let n = 0; n < 5; n++) rows.push(await appendOutbox(database.db, EVENT_SUBJECTS.clientUpdated, 1, { n }));
    const failOn = rows[2]?.eventId ?? '';
    const relay = new OutboxRelay(database.db, new FailingOnceBus(bus, failOn), logger, QUICK_RETRY);

    const first = await relay.drain(new AbortController().signal);
    expect(first.map((row) => row.id)).toEqual(rows.slice(0, 2).map((row) => row.id));
    expect((await oldestOutbox(database.db, 10)).map((row) => row.id)).toEqual(rows.slice(2).map((row) => row.id));

    const second = await relay.drain(new AbortController().signal);
    expect(second.map((row) => row.id)).toEqual(rows.slice(2).map((row) => row.id));
    expect(await oldestOutbox(database.db, 10)).toEqual([]);
    await eventually(() => received.length === 5, 1_000);
    // The row as published: its trace context travels in the message headers, not in the payload.
    expect(received).toEqual(rows.map(eventMessage));
    expect(received.map((message) => eventMessageSchema.parse(message).eventId)).toEqual(rows.map((row) => row.eventId));
  });

  it('publishes nothing once aborted', async () => {
    const bus = new EmbeddedEventBus({ logger });
    cleanUps.push(() => bus.close());
    await appendOutbox(database.db, EVENT_SUBJECTS.clientCreated, 1, {});
    const aborted = new AbortController();
    aborted.abort();

    expect(await new OutboxRelay(database.db, bus, logger).drain(aborted.signal)).toEqual([]);
    expect(await oldestOutbox(database.db, 10)).toHaveLength(1);
  });
});

/** Fails the first publish of one message id, as a lost acknowledgement would. */
class FailingOnceBus implements EventBus {
  private failed = false;

  constructor(
    private readonly bus: EventBus,
    private readonly failMsgId: string,
  ) {}

  async publish(subject: string, payload: unknown, options?: PublishOptions): Promise<void> {
    if (!this.failed && options?.msgId === this.failMsgId) {
      this.failed = true;
      throw new Error('acknowledgement lost');
    }
    await this.bus.publish(subject, payload, options);
  }

  subscribe: EventBus['subscribe'] = (pattern, handler) => this.bus.subscribe(pattern, handler);
  follow: EventBus['follow'] = (stream, afterSequence, handler) => this.bus.follow(stream, afterSequence, handler);
  request: EventBus['request'] = (subject, payload, timeoutMs) => this.bus.request(subject, payload, timeoutMs);
  serve: EventBus['serve'] = (subject, handler) => this.bus.serve(subject, handler);
  ping: EventBus['ping'] = () => this.bus.ping();
  close: EventBus['close'] = () => this.bus.close();
}
