import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigratedDatabase, type MigratedTestDatabase } from '../../../test/support/test-database';
import type { Database } from './open-database';
import { finishSyncRound, insertSyncRound, latestSyncRounds } from './sync-rounds.repository';

describe('sync rounds repository', () => {
  let testDatabase: MigratedTestDatabase;
  let database: Database;

  beforeAll(async () => {
    testDatabase = await createMigratedDatabase();
    ({ database } = testDatabase);
  });

  afterAll(async () => {
    await testDatabase.dispose();
  });

  it('records a round from its start to its end and lists the latest first', async () => {
    const full = await insertSyncRound(database.db, {
      epoch: 3,
      replicaId: 'replica-a',
      trigger: 'startup',
      scope: null,
      paused: false,
    });
    expect(full).toMatchObject({ epoch: 3, trigger: 'startup', scope: null, finishedAt: null, planned: 0, guarded: false });

    const scoped = await insertSyncRound(database.db, {
      epoch: 3,
      replicaId: 'replica-a',
      trigger: 'event',
      scope: [4, 9],
      paused: true,
    });
    const finished = await finishSyncRound(database.db, full.id, {
      planned: 12,
      done: 10,
      failed: 1,
      guarded: true,
      error: null,
    });
    expect(finished).toMatchObject({ planned: 12, done: 10, failed: 1, guarded: true, finishedAt: expect.any(Date) });
    expect(finished.finishedAt?.getTime()).toBeGreaterThanOrEqual(finished.startedAt.getTime());

    const latest = await latestSyncRounds(database.db, { limit: 10 });
    expect(latest.map((round) => round.id)).toEqual([scoped.id, full.id]);
    expect(latest[0]).toMatchObject({ trigger: 'event', scope: [4, 9], paused: true });
    expect(await latestSyncRounds(database.db, { limit: 10, beforeId: scoped.id })).toEqual([finished]);
  });

  it('refuses a trigger it does not know', async () => {
    await expect(
      insertSyncRound(database.db, { epoch: 1, replicaId: 'replica-a', trigger: 'cron' as 'manual', scope: null, paused: false }),
    ).rejects.toThrow();
  });

  it('reports finishing a round that does not exist', async () => {
    await expect(
      finishSyncRound(database.db, 987_654, { planned: 0, done: 0, failed: 0, guarded: false, error: 'x' }),
    ).rejects.toThrow('sync round 987654 does not exist');
  });
});
