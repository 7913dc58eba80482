import { setTimeout as sleep } from 'node:timers/promises';
import { nanos } from '@nats-io/transport-node';
import { EVENT_SUBJECTS, LEADER_SUBJECT, OPS_SUBJECTS } from '@podsync/domain';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { TEST_SERVERS } from '../../../test/support/servers';
import { deletePrefixStreams, readStream, streamInfo, testPrefix } from '../../../test/support/jetstream-streams';
import { type NatsServerProcess, startNatsServer } from '../../../test/support/nats-server-process';
import { BusUnavailableError, NoResponderError, PublishError, RequestFailedError, RequestTimeoutError } from './bus.errors';
import { NatsEventBus } from './nats-event-bus';
import { BusPrefix, EVENTS_STREAM, OPS_STREAM } from './streams';

const logger = pino({ level: 'silent' });
const NATS_URL = TEST_SERVERS.nats.url;

/** Polls until `check` holds; fails after `timeoutMs`. */
async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(20);
  }
}

describe(NatsEventBus.name, () => {
  let prefix: string;
  let streams: BusPrefix;
  const buses: NatsEventBus[] = [];
  /** Prefixes of other installations a test opened, beside its own. */
  const otherPrefixes: string[] = [];

  async function connectBus(
    url = NATS_URL,
    options: { publishTimeoutMs?: number; reconnectWaitMs?: number; prefix?: string } = {},
  ) {
    const bus = await NatsEventBus.connect({ servers: url, logger, prefix, ...options });
    buses.push(bus);
    return bus;
  }

  beforeEach(() => {
    prefix = testPrefix();
    streams = new BusPrefix(prefix);
  });

  afterEach(async () => {
    await Promise.all(buses.splice(0).map((bus) => bus.close()));
    for (const each of [prefix, ...otherPrefixes.splice(0)]) await deletePrefixStreams(NATS_URL, each);
  });

  describe('streams', () => {
    it('creates both streams under the prefix, and a second connection updates them in place', async () => {
      await connectBus();
      await connectBus();

      const events = await streamInfo(NATS_URL, `${prefix.toUpperCase()}_PODSYNC_EVENTS`);
      expect(events.config).toMatchObject({ subjects: [`${prefix}.podsync.events.>`], duplicate_window: nanos(5 * 60_000) });
      expect(events.state.messages).toBe(0);
      const ops = await streamInfo(NATS_URL, `${prefix.toUpperCase()}_PODSYNC_OPS`);
      expect(ops.config.subjects).toEqual([`${prefix}.podsync.ops.>`, `${prefix}.podsync.leader`]);
    });
  });

  describe('publish', () => {
    it('stores a message once however often it is published with the same msgId', async () => {
      const bus = await connectBus();

      await bus.publish(EVENT_SUBJECTS.clientCreated, { id: 1 }, { msgId: '1' });
      await bus.publish(EVENT_SUBJECTS.clientCreated, { id: 1 }, { msgId: '1' });
      await bus.publish(EVENT_SUBJECTS.clientUpdated, { id: 2 }, { msgId: '2' });

      const stored = await readStream(NATS_URL, streams.stream(EVENTS_STREAM).name);
      expect(stored.map(({ subject, msgId, payload }) => ({ subject, msgId, payload }))).toEqual([
        { subject: `${prefix}.${EVENT_SUBJECTS.clientCreated}`, msgId: '1', payload: { id: 1 } },
        { subject: `${prefix}.${EVENT_SUBJECTS.clientUpdated}`, msgId: '2', payload: { id: 2 } },
      ]);
    });

    it('stores operations and changes of leader in the ops stream', async () => {
      const bus = await connectBus();

      await bus.publish(OPS_SUBJECTS.restart, { id: 5 });
      await bus.publish(LEADER_SUBJECT, { replicaId: 'a', epoch: 2 });

      expect((await streamInfo(NATS_URL, streams.stream(OPS_STREAM).name)).state.messages).toBe(2);
    });

    it('refuses a subject no stream stores', async () => {
      const bus = await connectBus();

      await expect(bus.publish('podsync.nowhere', {})).rejects.toBeInstanceOf(PublishError);
    });
  });

  describe('subscribe', () => {
    it('delivers live messages with the subject as the caller knows it', async () => {
      const bus = await connectBus();
      const received: Array<{ subject: string; payload: unknown }> = [];
      const unsubscribe = bus.subscribe('podsync.ops.*', (payload, subject) => {
        received.push({ subject, payload });
      });

      await bus.publish(OPS_SUBJECTS.create, { id: 1 });
      await eventually(() => received.length === 1);
      unsubscribe();
      await bus.publish(OPS_SUBJECTS.create, { id: 2 });
      await bus.ping();

      expect(received).toEqual([{ subject: OPS_SUBJECTS.create, payload: { id: 1 } }]);
    });
  });

  describe('installations with different prefixes on one server', () => {
    it('neither store, deliver, deduplicate nor answer across the prefixes', async () => {
      const ours = await connectBus();
      const otherPrefix = testPrefix();
      otherPrefixes.push(otherPrefix);
      const theirs = await connectBus(NATS_URL, { prefix: otherPrefix });
      const theirStreams = new BusPrefix(otherPrefix);
      theirs.serve('podsync.rpc.sync', async () => 'theirs');
      await theirs.ping();
      await expect(ours.request('podsync.rpc.sync', {}, 2_000)).rejects.toBeInstanceOf(NoResponderError);

      const receivedByThem: unknown[] = [];
      theirs.subscribe('podsync.>', (payload) => {
        receivedByThem.push(payload);
      });
      const receivedByUs: unknown[] = [];
      ours.subscribe('podsync.>', (payload) => {
        receivedByUs.push(payload);
      });
      await theirs.ping();

      // The same message id on both sides: neither is dropped as the other's duplicate.
      await ours.publish(EVENT_SUBJECTS.clientCreated, { from: 'ours' }, { msgId: 'same-id' });
      await theirs.publish(EVENT_SUBJECTS.clientCreated, { from: 'theirs' }, { msgId: 'same-id' });
      await ours.publish(OPS_SUBJECTS.create, { from: 'ours' });
      await eventually(() => receivedByUs.length === 2 && receivedByThem.length === 1);

      expect(receivedByUs).toEqual([{ from: 'ours' }, { from: 'ours' }]);
      expect(receivedByThem).toEqual([{ from: 'theirs' }]);
      expect((await readStream(NATS_URL, streams.stream(EVENTS_STREAM).name)).map((message) => message.payload)).toEqual([
        { from: 'ours' },
      ]);
      expect((await readStream(NATS_URL, theirStreams.stream(EVENTS_STREAM).name)).map((message) => message.payload)).toEqual([
        { from: 'theirs' },
      ]);
      expect((await streamInfo(NATS_URL, theirStreams.stream(OPS_STREAM).name)).state.messages).toBe(0);
    });
  });

  describe('request and serve', () => {
    it('answers through the server, across connections', async () => {
      const leader = await connectBus();
      const gateway = await connectBus();
      leader.serve('podsync.rpc.sync', async (payload) => ({ accepted: payload }));
      await leader.ping();

      await expect(gateway.request('podsync.rpc.sync', { force: true }, 2_000)).resolves.toEqual({ accepted: { force: true } });
    });

    it('hands each request to one of several servers', async () => {
      const gateway = await connectBus();
      const handlers = [vi.fn(async () => 'a'), vi.fn(async () => 'b')];
      for (const handler of handlers) {
        const server = await connectBus();
        server.serve('podsync.rpc.sync', handler);
        await server.ping();
      }

      for (let i = 0; i < 10; i++) await gateway.request('podsync.rpc.sync', {}, 2_000);

      expect(handlers.reduce((calls, handler) => calls + handler.mock.calls.length, 0)).toBe(10);
    });

    it('rejects with NoResponderError when nobody serves the subject', async () => {
      const gateway = await connectBus();

      await expect(gateway.request('podsync.rpc.sync', {}, 2_000)).rejects.toBeInstanceOf(NoResponderError);
    });

    it('rejects with RequestTimeoutError when the server answers too late', async () => {
      const bus = await connectBus();
      bus.serve('podsync.rpc.sync', () => sleep(500, 'late'));
      await bus.ping();

      await expect(bus.request('podsync.rpc.sync', {}, 50)).rejects.toBeInstanceOf(RequestTimeoutError);
    });

    it("rejects with RequestFailedError carrying the handler's message", async () => {
      const bus = await connectBus();
      bus.serve('podsync.rpc.sync', async () => {
        throw new Error('not the leader any more');
      });
      await bus.ping();

      const failure = bus.request('podsync.rpc.sync', {}, 2_000);
      await expect(failure).rejects.toBeInstanceOf(RequestFailedError);
      await expect(failure).rejects.toThrow(/not the leader any more/);
    });
  });

  describe('while its server is down', () => {
    let server: NatsServerProcess;

    beforeAll(async () => {
      server = await startNatsServer();
    });

    afterAll(async () => {
      await server.dispose();
    });

    it('fails ping and publish in bounded time, and works again once the server is back', async () => {
      const bus = await connectBus(server.url, { publishTimeoutMs: 500, reconnectWaitMs: 100 });
      await bus.publish(EVENT_SUBJECTS.clientCreated, { id: 1 }, { msgId: '1' });

      await server.stop();
      await expect(bus.ping()).rejects.toBeInstanceOf(BusUnavailableError);
      await expect(bus.publish(EVENT_SUBJECTS.clientCreated, { id: 2 }, { msgId: '2' })).rejects.toBeInstanceOf(PublishError);

      await server.start();
      await eventually(
        () =>
          bus.ping().then(
            () => true,
            () => false,
          ),
        10_000,
      );
      await bus.publish(EVENT_SUBJECTS.clientCreated, { id: 2 }, { msgId: '2' });

      const stored = await readStream(server.url, streams.stream(EVENTS_STREAM).name);
      expect(stored.map((message) => message.msgId)).toEqual(['1', '2']);
    }, 60_000);

    it('recreates its streams when the server comes back without them', async () => {
      const bus = await connectBus(server.url, { publishTimeoutMs: 500, reconnectWaitMs: 100 });
      await deletePrefixStreams(server.url, prefix);
      await server.stop();
      await server.start();
      await eventually(
        () =>
          bus.ping().then(
            () => true,
            () => false,
          ),
        10_000,
      );

      await eventually(
        () =>
          bus.publish(LEADER_SUBJECT, { epoch: 1 }).then(
            () => true,
            () => false,
          ),
        10_000,
      );
      expect((await streamInfo(server.url, streams.stream(OPS_STREAM).name)).state.messages).toBe(1);
    }, 60_000);
  });
});
