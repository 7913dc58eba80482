import { asc, sql } from 'drizzle-orm';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Database, openDatabase, operations, StaleEpochError, syncRounds } from '@podsync/db';
import { newEventId } from '@podsync/domain';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database';
import { sampleValue } from '../../../../test/support/prometheus-text';
import { EmbeddedLeaderElector } from '../leader/embedded-leader-elector';
import { type Lease, LeaseLostError } from '../leader/leader-elector';
import { HistoryPurge, type HistoryPurgeSettings } from './history-purge';
import { runHistoryPurge } from './history-purge-loop';

const silent = pino({ level: 'silent' });
const DAY_MS = 86_400_000;
/** The purge's clock: fixed, so which rows are old is exact. */
const NOW = new Date('2026-06-30T12:00:00Z');
const RETENTION_MS = 30 * DAY_MS;
const CUTOFF_MS = NOW.getTime() - RETENTION_MS;

describe(HistoryPurge.name, () => {
  let testDatabase: TestDatabase;
  let database: Database;
  let elector: EmbeddedLeaderElector;
  let lease: Lease;
  let registry: Registry;

  beforeAll(async () => {
    testDatabase = await createTestDatabase();
    database = openDatabase({ url: testDatabase.url, dataDir: '' });
    await database.migrate();
  });

  beforeEach(async () => {
    await database.db.execute(sql`truncate operations, sync_rounds restart identity`);
    elector = new EmbeddedLeaderElector(database.db, { replicaId: 'leader' });
    await elector.start();
    const current = elector.current();
    if (current === undefined) throw new Error('the embedded elector did not lead');
    lease = current;
    registry = new Registry();
  });

  afterEach(() => elector.stop());

  afterAll(async () => {
    await database?.close();
    await testDatabase?.drop();
  });

  const purger = (settings: Partial<HistoryPurgeSettings> = {}): HistoryPurge =>
    new HistoryPurge(database.db, silent, registry, { retentionMs: RETENTION_MS, now: () => NOW, ...settings });

  /** Appends operations in id order, one per given age (ms before the cutoff; negative is newer than it). */
  async function addOperations(agesBeforeCutoffMs: number[]): Promise<void> {
    await database.db.insert(operations).values(
      agesBeforeCutoffMs.map((age, index) => {
        const at = new Date(CUTOFF_MS - age);
        return {
          eventId: newEventId(),
          epoch: lease.epoch,
          replicaId: 'leader',
          kind: 'create' as const,
          pod: `vwap-${index + 1}`,
          clientId: index + 1,
          algorithm: 'VWAP',
          result: 'ok' as const,
          startedAt: new Date(at.getTime() - 50),
          finishedAt: at,
        };
      }),
    );
  }

  async function addRounds(agesBeforeCutoffMs: number[]): Promise<void> {
    await database.db.insert(syncRounds).values(
      agesBeforeCutoffMs.map((age) => ({
        epoch: lease.epoch,
        replicaId: 'leader',
        trigger: 'periodic' as const,
        scope: null,
        paused: false,
        startedAt: new Date(CUTOFF_MS - age),
      })),
    );
  }

  const operationIds = async (): Promise<number[]> =>
    (await database.db.select({ id: operations.id }).from(operations).orderBy(asc(operations.id))).map((row) => row.id);
  const roundIds = async (): Promise<number[]> =>
    (await database.db.select({ id: syncRounds.id }).from(syncRounds).orderBy(asc(syncRounds.id))).map((row) => row.id);
  const purgedMetric = async (table: string): Promise<number | undefined> =>
    sampleValue(await registry.metrics(), 'podsync_history_purged_rows_total', { table });

  it('deletes the rows older than the retention from both tables, in batches, keeps the newer ones, and counts them', async () => {
    // 95 operations older than the cutoff, oldest first, then 5 newer: ten batches of 10.
    await addOperations([...Array.from({ length: 95 }, (_, index) => (95 - index) * 60_000), -1, -60_000, -DAY_MS, -2, -3]);
    await addRounds([DAY_MS, 2, 1, 0, -1, -DAY_MS]);
    const purge = purger({ batchSize: 10 });

    expect(await purgedMetric('operations')).toBe(0);
    expect(await purge.purge(lease)).toEqual({ operations: 95, sync_rounds: 3 });

    expect(await operationIds()).toEqual([96, 97, 98, 99, 100]);
    // A round that started exactly at the cutoff is not older than the retention.
    expect(await roundIds()).toEqual([4, 5, 6]);
    expect(await purgedMetric('operations')).toBe(95);
    expect(await purgedMetric('sync_rounds')).toBe(3);
    expect(await purge.purge(lease)).toEqual({ operations: 0, sync_rounds: 0 });
    expect(await purgedMetric('operations')).toBe(95);
  });

  it('never deletes a row before its age, even one recorded out of time order among older ones', async () => {
    await addOperations([5_000, 4_000, -10_000, 3_000, 2_000, -1]);

    expect(await purger({ batchSize: 2 }).purge(lease)).toEqual({ operations: 4, sync_rounds: 0 });

    expect(await operationIds()).toEqual([3, 6]);
  });

  it('does nothing on empty tables or when every row is newer', async () => {
    const purge = purger();
    expect(await purge.purge(lease)).toEqual({ operations: 0, sync_rounds: 0 });
    await addOperations([-1, -2]);
    await addRounds([-1]);

    expect(await purge.purge(lease)).toEqual({ operations: 0, sync_rounds: 0 });
    expect(await operationIds()).toEqual([1, 2]);
  });

  it('purges nothing for a replica that is no longer the leader: its epoch is stale', async () => {
    await addOperations([3, 2, 1]);
    const successor = new EmbeddedLeaderElector(database.db, { replicaId: 'successor' });
    await successor.start();
    try {
      const purge = purger();
      await expect(purge.purge(lease)).rejects.toBeInstanceOf(StaleEpochError);
      expect(await operationIds()).toEqual([1, 2, 3]);
      expect(await purgedMetric('operations')).toBe(0);
    } finally {
      await successor.stop();
    }
  });

  it('purges nothing once the lease is lost', async () => {
    await addOperations([3, 2, 1]);
    await elector.stop();

    await expect(purger().purge(lease)).rejects.toBeInstanceOf(LeaseLostError);
    expect(await operationIds()).toEqual([1, 2, 3]);
  });

  describe(runHistoryPurge.name, () => {
    it('purges at once when run, and steps down on a stale epoch without purging', async () => {
      await addOperations([2, 1]);
      const stop = new AbortController();
      const stepped: string[] = [];
      const purge = purger();
      const running = runHistoryPurge(purge, lease, async () => void stepped.push('down'), silent, stop.signal, 60_000);
      // The first pass runs before the loop rests; then the loop waits for its interval.
      await expect.poll(operationIds).toEqual([]);
      stop.abort();
      await running;
      expect(stepped).toEqual([]);

      await addOperations([2, 1]);
      const successor = new EmbeddedLeaderElector(database.db, { replicaId: 'successor' });
      await successor.start();
      try {
        await runHistoryPurge(purge, lease, async () => void stepped.push('down'), silent, new AbortController().signal);
        expect(stepped).toEqual(['down']);
        expect(await operationIds()).toEqual([3, 4]);
      } finally {
        await successor.stop();
      }
    });
  });
});
