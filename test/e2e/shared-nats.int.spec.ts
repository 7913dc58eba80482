import { BusPrefix, EVENTS_STREAM, OPS_STREAM } from '@podsync/bus';
import { outbox } from '@podsync/db';
import { EVENT_SUBJECTS, eventMessageSchema, leaderMessageSchema, type OpsMessage, opsMessageSchema } from '@podsync/domain';
import { count } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { type RunningGateway, SAMPLE_CLIENT, startGateway } from '../support/gateway-harness';
import { deletePrefixStreams, readStream, type StoredMessage, testPrefix } from '../support/jetstream-streams';
import { TEST_SERVERS } from '../support/servers';
import { waitUntil } from '../support/wait-until';

const NATS_URL = TEST_SERVERS.nats.url;

/** What one installation wrote and did, as its own database and API tell it. */
interface InstallationRecord {
  /** One per outbox event: create, switch on, update, switch off. */
  events: number;
  operations: OpsMessage[];
}

/**
 * One installation from a fresh database to its last event on the bus: the same writes every
 * time, so the row ids of its outbox and operations (1, 2, 3...) are those of any other run.
 */
async function runInstallation(prefix: string): Promise<InstallationRecord> {
  const app: RunningGateway = await startGateway({
    driver: 'postgres',
    app: 'standalone',
    env: { NATS_URL, PODSYNC_NATS_PREFIX: prefix, PODSYNC_SYNC_INTERVAL: '5m' },
  });
  try {
    const operations = async (): Promise<OpsMessage[]> =>
      (await app.request('GET', '/api/v1/operations?limit=100')).body.data.items;
    const operationsDone = (expected: number) =>
      waitUntil(async () => (await operations()).length === expected, `${expected} operations`, 15_000, 50);

    const id: number = (await app.request('POST', '/api/v1/clients', { json: SAMPLE_CLIENT })).body.data.id;
    await app.request('PUT', `/api/v1/status/${id}`, { json: { VWAP: true, TWAP: true } });
    await operationsDone(2);
    await app.request('PUT', `/api/v1/clients/${id}`, { json: { ...SAMPLE_CLIENT, version: 2 } });
    await operationsDone(4);
    await app.request('PUT', `/api/v1/status/${id}`, { json: { TWAP: false } });
    await operationsDone(5);
    await waitUntil(
      async () => (await app.database.db.select({ rows: count() }).from(outbox))[0]?.rows === 0,
      'the outbox to be published',
      15_000,
      50,
    );
    return { events: 4, operations: await operations() };
  } finally {
    await app.close();
  }
}

describe('installations sharing one NATS server', () => {
  const prefixes: string[] = [];
  afterAll(async () => {
    for (const prefix of prefixes) await deletePrefixStreams(NATS_URL, prefix);
  });

  it('publishes every event and operation of two installations with the same prefix, each exactly once', async () => {
    const prefix = testPrefix();
    prefixes.push(prefix);
    const streams = new BusPrefix(prefix);

    // One after the other, well within the streams' duplicate windows, as after a reinstall or a
    // restore from backup: each numbers its rows from 1 again.
    const first = await runInstallation(prefix);
    const second = await runInstallation(prefix);
    expect(second.operations.map((operation) => operation.id)).toEqual(first.operations.map((operation) => operation.id));

    const events = outboxMessages(prefix, await readStream(NATS_URL, streams.stream(EVENTS_STREAM).name)).map((message) => ({
      msgId: message.msgId,
      event: eventMessageSchema.parse(message.payload),
    }));
    expect(events).toHaveLength(first.events + second.events);
    expect(events.map(({ msgId }) => msgId)).toEqual(events.map(({ event }) => event.eventId));
    expect(new Set(events.map(({ event }) => event.eventId)).size).toBe(events.length);
    // Both installations' rows, ids colliding: 1 to 4 twice.
    expect(events.map(({ event }) => event.id).sort()).toEqual([1, 1, 2, 2, 3, 3, 4, 4]);

    const opsStream = await readStream(NATS_URL, streams.stream(OPS_STREAM).name);
    const operations = opsStream
      .filter((message) => message.subject.startsWith(`${prefix}.podsync.ops.`))
      .map((message) => ({ msgId: message.msgId, operation: opsMessageSchema.parse(message.payload) }));
    const recorded = [...first.operations, ...second.operations];
    expect(operations.map(({ msgId }) => msgId)).toEqual(operations.map(({ operation }) => operation.eventId));
    expect(operations.map(({ operation }) => operation.eventId).sort()).toEqual(
      recorded.map((operation) => operation.eventId).sort(),
    );
    expect(new Set(recorded.map((operation) => operation.eventId)).size).toBe(recorded.length);

    const leaders = opsStream
      .filter((message) => message.subject === `${prefix}.podsync.leader`)
      .map((message) => leaderMessageSchema.parse(message.payload));
    // Each fresh database makes its first leader epoch 1: the announcements differ by event id alone.
    expect(leaders.map((leader) => leader.epoch)).toEqual([1, 1]);
    expect(new Set(leaders.map((leader) => leader.eventId)).size).toBe(2);
  }, 120_000);

  it('keeps two installations with different prefixes apart, while both run', async () => {
    const [ours, theirs] = [testPrefix(), testPrefix()];
    prefixes.push(ours, theirs);

    const [ourRecord, theirRecord] = await Promise.all([runInstallation(ours), runInstallation(theirs)]);

    for (const [prefix, record] of [
      [ours, ourRecord],
      [theirs, theirRecord],
    ] as const) {
      const streams = new BusPrefix(prefix);
      const events = await readStream(NATS_URL, streams.stream(EVENTS_STREAM).name);
      const ops = await readStream(NATS_URL, streams.stream(OPS_STREAM).name);
      expect(outboxMessages(prefix, events)).toHaveLength(record.events);
      expect([...events, ...ops].every((message) => message.subject.startsWith(`${prefix}.podsync.`))).toBe(true);
      const operationIds = ops
        .filter((message) => message.subject.startsWith(`${prefix}.podsync.ops.`))
        .map((message) => opsMessageSchema.parse(message.payload).eventId);
      expect(operationIds.sort()).toEqual(record.operations.map((operation) => operation.eventId).sort());
    }
  }, 120_000);
});

/** The outbox's events among a stream's messages: PODSYNC_EVENTS also holds pod status changes and finished rounds. */
function outboxMessages(prefix: string, messages: StoredMessage[]): StoredMessage[] {
  const subjects = new Set(Object.values(EVENT_SUBJECTS).map((subject) => `${prefix}.${subject}`));
  return messages.filter((message) => subjects.has(message.subject));
}
