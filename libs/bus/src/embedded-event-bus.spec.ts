import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BusUnavailableError, NoResponderError, PublishError, RequestFailedError, RequestTimeoutError } from './bus.errors';
import { EmbeddedEventBus } from './embedded-event-bus';
import { EVENT_SUBJECTS, LEADER_SUBJECT, OPS_SUBJECTS } from './subjects';
import { OPS_STREAM } from './streams';

const logger = pino({ level: 'silent' });

interface Received {
  subject: string;
  payload: unknown;
}

function collect(bus: EmbeddedEventBus, pattern: string): Received[] {
  const received: Received[] = [];
  bus.subscribe(pattern, (payload, subject) => {
    received.push({ subject, payload });
  });
  return received;
}

/** Delivery happens after publish returns; a few turns of the event loop are plenty in process. */
const delivered = () => sleep(5);

describe(EmbeddedEventBus.name, () => {
  let now: number;
  let bus: EmbeddedEventBus;

  beforeEach(() => {
    now = 1_000_000;
    bus = new EmbeddedEventBus({ logger, now: () => now });
  });

  afterEach(async () => {
    await bus.close();
  });

  describe('publish and subscribe', () => {
    it('delivers to subscribers whose pattern matches, as JSON', async () => {
      const events = collect(bus, 'podsync.events.>');
      const creations = collect(bus, 'podsync.ops.create');
      const createdAt = new Date('2025-01-01T00:00:00.000Z');

      await bus.publish(EVENT_SUBJECTS.clientCreated, { id: 1, createdAt });
      await bus.publish(OPS_SUBJECTS.delete, { id: 2 });
      await delivered();

      expect(events).toEqual([
        { subject: EVENT_SUBJECTS.clientCreated, payload: { id: 1, createdAt: '2025-01-01T00:00:00.000Z' } },
      ]);
      expect(creations).toEqual([]);
    });

    it('stops delivering after unsubscribe', async () => {
      const received: unknown[] = [];
      const unsubscribe = bus.subscribe(LEADER_SUBJECT, (payload) => {
        received.push(payload);
      });
      await bus.publish(LEADER_SUBJECT, { epoch: 1 });
      await delivered();
      unsubscribe();
      await bus.publish(LEADER_SUBJECT, { epoch: 2 });
      await delivered();

      expect(received).toEqual([{ epoch: 1 }]);
    });

    it('accepts a second publish with the same msgId and drops it', async () => {
      const events = collect(bus, 'podsync.events.>');

      await bus.publish(EVENT_SUBJECTS.clientUpdated, { id: 9 }, { msgId: '9' });
      await bus.publish(EVENT_SUBJECTS.clientUpdated, { id: 9 }, { msgId: '9' });
      await bus.publish(EVENT_SUBJECTS.clientUpdated, { id: 10 }, { msgId: '10' });
      await delivered();

      expect(events.map((event) => event.payload)).toEqual([{ id: 9 }, { id: 10 }]);
    });

    it('forgets a msgId once its stream duplicate window has passed', async () => {
      const events = collect(bus, 'podsync.events.>');

      await bus.publish(EVENT_SUBJECTS.statusUpdated, { id: 3 }, { msgId: '3' });
      now += 5 * 60_000 - 1;
      await bus.publish(EVENT_SUBJECTS.statusUpdated, { id: 3 }, { msgId: '3' });
      now += 1;
      await bus.publish(EVENT_SUBJECTS.statusUpdated, { id: 3 }, { msgId: '3' });
      await delivered();

      expect(events).toHaveLength(2);
    });

    it('refuses a subject no stream stores, as JetStream does', async () => {
      await expect(bus.publish('podsync.nowhere', {})).rejects.toBeInstanceOf(PublishError);
    });

    it('keeps delivering when a subscriber fails', async () => {
      bus.subscribe(LEADER_SUBJECT, () => {
        throw new Error('subscriber bug');
      });
      const received = collect(bus, LEADER_SUBJECT);

      await bus.publish(LEADER_SUBJECT, { epoch: 1 });
      await delivered();

      expect(received).toHaveLength(1);
    });
  });

  describe('request and serve', () => {
    it('answers a request through the server of its subject', async () => {
      bus.serve('podsync.rpc.sync', async (payload) => ({ asked: payload }));

      await expect(bus.request('podsync.rpc.sync', { force: true }, 1_000)).resolves.toEqual({ asked: { force: true } });
    });

    it('hands each request to one server only', async () => {
      const first = vi.fn(async () => 'first');
      const second = vi.fn(async () => 'second');
      bus.serve('podsync.rpc.sync', first);
      bus.serve('podsync.rpc.sync', second);

      await bus.request('podsync.rpc.sync', {}, 1_000);
      await bus.request('podsync.rpc.sync', {}, 1_000);

      expect(first).toHaveBeenCalledTimes(1);
      expect(second).toHaveBeenCalledTimes(1);
    });

    it('rejects with NoResponderError when nobody serves the subject', async () => {
      const stopServing = bus.serve('podsync.rpc.sync', async () => 'ok');
      stopServing();

      await expect(bus.request('podsync.rpc.sync', {}, 1_000)).rejects.toBeInstanceOf(NoResponderError);
    });

    it('rejects with RequestTimeoutError when the answer comes too late', async () => {
      bus.serve('podsync.rpc.sync', () => sleep(200, 'late'));

      await expect(bus.request('podsync.rpc.sync', {}, 20)).rejects.toBeInstanceOf(RequestTimeoutError);
    });

    it("rejects with RequestFailedError carrying the handler's message", async () => {
      bus.serve('podsync.rpc.sync', async () => {
        throw new Error('not the leader any more');
      });

      const failure = bus.request('podsync.rpc.sync', {}, 1_000);
      await expect(failure).rejects.toBeInstanceOf(RequestFailedError);
      await expect(failure).rejects.toThrow(/not the leader any more/);
    });
  });

  describe('lifecycle', () => {
    it('is reachable until closed', async () => {
      await expect(bus.ping()).resolves.toBeUndefined();
      await bus.close();

      await expect(bus.ping()).rejects.toBeInstanceOf(BusUnavailableError);
      await expect(bus.publish(LEADER_SUBJECT, {})).rejects.toBeInstanceOf(PublishError);
      await expect(bus.request('podsync.rpc.sync', {}, 1_000)).rejects.toBeInstanceOf(BusUnavailableError);
    });
  });
});

describe('EmbeddedEventBus follow', () => {
  const create = (id: number) => ({ id });

  async function followed(bus: EmbeddedEventBus, afterSequence: number | undefined) {
    const received: number[] = [];
    const follower = await bus.follow(OPS_STREAM, afterSequence, (message) => {
      received.push((message.payload as { id: number }).id);
    });
    return { follower, received };
  }

  it('replays what the stream holds after the sequence, then follows live, in order', async () => {
    const bus = new EmbeddedEventBus({ logger });
    for (const id of [1, 2, 3]) await bus.publish(OPS_SUBJECTS.create, create(id));
    await bus.publish(EVENT_SUBJECTS.clientCreated, create(99));
    const { follower, received } = await followed(bus, 1);
    await bus.publish(OPS_SUBJECTS.delete, create(4));
    await vi.waitFor(() => expect(received).toEqual([2, 3, 4]));
    expect(follower.startedAfter).toBe(1);
    await follower.stop();
    expect(bus.followerCount()).toBe(0);
    await bus.close();
  });

  it('starts at the end of the stream without a sequence, or with one past the end', async () => {
    const bus = new EmbeddedEventBus({ logger });
    for (const id of [1, 2]) await bus.publish(OPS_SUBJECTS.create, create(id));
    const fromNow = await followed(bus, undefined);
    const pastTheEnd = await followed(bus, 50);
    await bus.publish(OPS_SUBJECTS.create, create(3));
    await vi.waitFor(() => expect([fromNow.received, pastTheEnd.received]).toEqual([[3], [3]]));
    expect([fromNow.follower.startedAfter, pastTheEnd.follower.startedAfter]).toEqual([2, 2]);
    await bus.close();
  });

  it('keeps a bounded history: a follower from further back gets what is left', async () => {
    const bus = new EmbeddedEventBus({ logger, streamHistory: 2 });
    for (const id of [1, 2, 3, 4]) await bus.publish(OPS_SUBJECTS.create, create(id));
    const { received } = await followed(bus, 0);
    await vi.waitFor(() => expect(received).toEqual([3, 4]));
    await bus.close();
  });
});

describe('EmbeddedEventBus follow, ending', () => {
  it('ends a follower when it is stopped, and every follower when the bus closes', async () => {
    const bus = new EmbeddedEventBus({ logger });
    const stopped = await bus.follow(OPS_STREAM, undefined, () => undefined);
    const open = await bus.follow(OPS_STREAM, undefined, () => undefined);
    await stopped.stop();
    await expect(stopped.ended).resolves.toBeUndefined();
    await bus.close();
    await expect(open.ended).resolves.toBeUndefined();
  });
});
