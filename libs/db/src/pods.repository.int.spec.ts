import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMigratedDatabase, type MigratedTestDatabase } from '../../../test/support/test-database';
import { advanceLeaderEpoch, StaleEpochError } from './leader-epoch.repository';
import type { Database } from './open-database';
import { allPods, countPods, deletePod, type ObservedPod, podsOfClients, replacePods, upsertPod } from './pods.repository';

const pod = (algorithm: string, clientId: number, epoch = 1): ObservedPod => ({
  name: `${algorithm.toLowerCase()}-${clientId}`,
  clientId,
  algorithm,
  specHash: `hash-${clientId}`,
  epoch,
});

describe('pods repository', () => {
  let testDatabase: MigratedTestDatabase;
  let database: Database;
  let epoch: number;

  beforeAll(async () => {
    testDatabase = await createMigratedDatabase();
    ({ database } = testDatabase);
  });

  beforeEach(async () => {
    await database.db.execute(sql`truncate pods`);
    epoch = await advanceLeaderEpoch(database.db, 'replica-a');
  });

  afterAll(async () => {
    await testDatabase.dispose();
  });

  it('replaces the whole table with a listing', async () => {
    await replacePods(database.db, epoch, [pod('VWAP', 1), pod('TWAP', 1)]);
    await replacePods(database.db, epoch, [pod('HFT', 2), pod('VWAP', 1)]);

    expect(await allPods(database.db)).toEqual([pod('HFT', 2), pod('VWAP', 1)]);
  });

  it('replaces a listing larger than one insert statement', async () => {
    const listing = Array.from({ length: 2_345 }, (_, index) => pod('VWAP', index + 1));
    await replacePods(database.db, epoch, listing);

    expect(await countPods(database.db)).toBe(2_345);
  });

  it('refuses a listing of a stale epoch and keeps the table', async () => {
    await replacePods(database.db, epoch, [pod('VWAP', 1)]);
    await advanceLeaderEpoch(database.db, 'replica-b');

    await expect(replacePods(database.db, epoch, [])).rejects.toBeInstanceOf(StaleEpochError);

    expect(await allPods(database.db)).toEqual([pod('VWAP', 1)]);
  });

  it('records a created pod, overwrites a recreated one and forgets a deleted one', async () => {
    await upsertPod(database.db, pod('VWAP', 1));
    await upsertPod(database.db, { ...pod('VWAP', 1, 7), specHash: 'new-hash' });
    await upsertPod(database.db, pod('TWAP', 1));
    await deletePod(database.db, 'twap-1');
    await deletePod(database.db, 'missing-1');

    expect(await allPods(database.db)).toEqual([{ ...pod('VWAP', 1, 7), specHash: 'new-hash' }]);
  });

  it('reads the pods of some clients', async () => {
    await replacePods(database.db, epoch, [pod('VWAP', 1), pod('TWAP', 2), pod('HFT', 2), pod('VWAP', 3)]);

    const found = await podsOfClients(database.db, [2, 3, 4]);

    expect(found.map((row) => row.name).sort()).toEqual(['hft-2', 'twap-2', 'vwap-3']);
    expect(await podsOfClients(database.db, [])).toEqual([]);
  });
});
