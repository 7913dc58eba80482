import postgres from 'postgres';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../../../test/support/wait-until';
import { createMigratedDatabase, type MigratedTestDatabase } from '../../../test/support/test-database';
import { advanceLeaderEpoch, assertEpochCurrent, currentLeaderEpoch, StaleEpochError } from './leader-epoch.repository';
import { type Database, openDatabase } from './open-database';
import { newEventId } from '@podsync/domain';
import { operations } from './schema';

const operationOfEpoch = (epoch: number) => ({
  eventId: newEventId(),
  epoch,
  replicaId: 'replica-a',
  kind: 'create' as const,
  pod: 'vwap-1',
  clientId: 1,
  algorithm: 'VWAP',
  result: 'ok' as const,
  startedAt: new Date(),
  finishedAt: new Date(),
});

describe('leader epoch repository', () => {
  let testDatabase: MigratedTestDatabase;
  let database: Database;

  beforeEach(async () => {
    testDatabase = await createMigratedDatabase({ poolSize: 12 });
    ({ database } = testDatabase);
  });

  afterEach(async () => {
    await testDatabase.dispose();
  });

  it('starts with no leader and records each new one with the next epoch', async () => {
    expect(await currentLeaderEpoch(database.db)).toBeUndefined();

    expect(await advanceLeaderEpoch(database.db, 'replica-a')).toBe(1);
    expect(await advanceLeaderEpoch(database.db, 'replica-b')).toBe(2);

    expect(await currentLeaderEpoch(database.db)).toEqual({ epoch: 2, replicaId: 'replica-b', since: expect.any(Date) });
  });

  it('gives concurrent callers distinct, increasing epochs', async () => {
    const epochs = await Promise.all(Array.from({ length: 20 }, (_, i) => advanceLeaderEpoch(database.db, `replica-${i}`)));

    expect([...epochs].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect((await currentLeaderEpoch(database.db))?.epoch).toBe(20);
  });

  it('lets a write with the current epoch commit', async () => {
    const epoch = await advanceLeaderEpoch(database.db, 'replica-a');

    await database.db.transaction(async (tx) => {
      await assertEpochCurrent(tx, epoch);
      await tx.insert(operations).values(operationOfEpoch(epoch));
    });

    expect(await database.db.select().from(operations)).toHaveLength(1);
  });

  it('refuses a write with an old epoch and writes nothing of its transaction', async () => {
    const oldEpoch = await advanceLeaderEpoch(database.db, 'replica-a');
    const newEpoch = await advanceLeaderEpoch(database.db, 'replica-b');

    const write = database.db.transaction(async (tx) => {
      await tx.insert(operations).values(operationOfEpoch(oldEpoch));
      await assertEpochCurrent(tx, oldEpoch);
    });

    await expect(write).rejects.toThrow(StaleEpochError);
    await expect(write).rejects.toMatchObject({ epoch: oldEpoch, currentEpoch: newEpoch });
    expect(await database.db.select().from(operations)).toEqual([]);
  });

  it('refuses any epoch while no leader was ever recorded', async () => {
    const write = database.db.transaction(async (tx) => {
      await assertEpochCurrent(tx, 1);
      await tx.insert(operations).values(operationOfEpoch(1));
    });

    await expect(write).rejects.toMatchObject({ name: 'StaleEpochError', epoch: 1, currentEpoch: undefined });
    expect(await database.db.select().from(operations)).toEqual([]);
  });

  it('makes a successor wait for a write that has passed the check, so the write commits under its own epoch', async () => {
    const epoch = await advanceLeaderEpoch(database.db, 'replica-a');
    const observer = postgres(testDatabase.url, { max: 1, onnotice: () => undefined });
    try {
      let successorEpoch: number | undefined;
      let successor: Promise<void> | undefined;

      await database.db.transaction(async (tx) => {
        await assertEpochCurrent(tx, epoch);
        successor = advanceLeaderEpoch(database.db, 'replica-b').then((next) => {
          successorEpoch = next;
        });
        await waitUntil(async () => {
          const [row] = await observer<{ waiting: number }[]>`
            select count(*)::int as waiting from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock'`;
          return (row?.waiting ?? 0) > 0;
        }, 'the successor to wait on the epoch row');
        expect(successorEpoch).toBeUndefined();
        await tx.insert(operations).values(operationOfEpoch(epoch));
      });

      await successor;
      expect(successorEpoch).toBe(epoch + 1);
      expect(await database.db.select().from(operations)).toMatchObject([{ epoch }]);
    } finally {
      await observer.end();
    }
  });

  it('lets a successor that may evict end the session of a writer frozen inside its transaction; the frozen write never commits', async () => {
    const epoch = await advanceLeaderEpoch(database.db, 'replica-a');
    const writer = openDatabase({ url: testDatabase.url, dataDir: '', poolSize: 1 });
    try {
      let successor: Promise<number> | undefined;
      const write = writer.db.transaction(async (tx) => {
        await assertEpochCurrent(tx, epoch);
        await tx.insert(operations).values(operationOfEpoch(epoch));
        successor = advanceLeaderEpoch(database.db, 'replica-b', { evictBlockersAfterMs: 100 });
        // Frozen between two statements, as a stopped process would be: it sends nothing more.
        await new Promise(() => undefined);
      });

      await expect(write).rejects.toMatchObject({ code: 'CONNECTION_CLOSED' });
      expect(await successor).toBe(epoch + 1);
      expect(await database.db.select().from(operations)).toEqual([]);
    } finally {
      await writer.close();
    }
  });
});
