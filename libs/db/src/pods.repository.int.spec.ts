import type { ActualPod, PodHealth } from '@podsync/domain';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMigratedDatabase, type MigratedTestDatabase } from '../../../test/support/test-database';
import { advanceLeaderEpoch, StaleEpochError } from './leader-epoch.repository';
import type { Database } from './open-database';
import {
  allPods,
  applyPodObservations,
  countPods,
  deletePod,
  podHealthCounts,
  podsOfClients,
  replacePods,
  upsertPod,
} from './pods.repository';

const RUNNING: PodHealth = { phase: 'Running', ready: true, restarts: 0, reason: null, message: null, node: 'node-1' };
const PENDING: PodHealth = { phase: 'Pending', ready: false, restarts: 0, reason: null, message: null, node: null };

const pod = (algorithm: string, clientId: number, epoch = 1, health: Partial<PodHealth> = {}): ActualPod => ({
  name: `${algorithm.toLowerCase()}-${clientId}`,
  clientId,
  algorithm,
  specHash: `hash-${clientId}`,
  epoch,
  health: { ...RUNNING, ...health },
});

/** A row as read back: the pod and when its phase or readiness last changed. */
const stored = (listed: ActualPod) => ({ ...listed, since: expect.any(Date) as Date });

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

  async function sinceOf(name: string): Promise<Date | undefined> {
    return (await allPods(database.db)).find((row) => row.name === name)?.since;
  }

  it('replaces the whole table with a listing, health included', async () => {
    await replacePods(database.db, epoch, [pod('VWAP', 1), pod('TWAP', 1)]);
    await replacePods(database.db, epoch, [
      pod('HFT', 2, 1, { phase: 'Failed', ready: false, reason: 'Evicted' }),
      pod('VWAP', 1),
    ]);

    expect(await allPods(database.db)).toEqual([
      stored(pod('HFT', 2, 1, { phase: 'Failed', ready: false, reason: 'Evicted' })),
      stored(pod('VWAP', 1)),
    ]);
  });

  it('tells which pods a listing found new, changed in phase or readiness, and gone', async () => {
    await replacePods(database.db, epoch, [pod('VWAP', 1), pod('TWAP', 1), pod('HFT', 1)]);

    const written = await replacePods(database.db, epoch, [
      pod('VWAP', 1, 1, { restarts: 3 }),
      pod('TWAP', 1, 1, { phase: 'Failed', ready: false, reason: 'OOMKilled' }),
      pod('VWAP', 2, 1, PENDING),
    ]);

    expect(written.statusChanges).toEqual([
      {
        pod: pod('TWAP', 1, 1, { phase: 'Failed', ready: false, reason: 'OOMKilled' }),
        from: { phase: 'Running', ready: true },
        to: { phase: 'Failed', ready: false },
      },
      { pod: pod('VWAP', 2, 1, PENDING), from: null, to: { phase: 'Pending', ready: false } },
    ]);
    expect(written.removed).toEqual([stored(pod('HFT', 1))]);
  });

  it('leaves the pods named to skip as the table has them', async () => {
    await replacePods(database.db, epoch, [pod('VWAP', 1, 1, { phase: 'Failed', ready: false })]);

    await replacePods(database.db, epoch, [pod('VWAP', 1), pod('TWAP', 1)], new Set(['vwap-1', 'twap-1']));

    expect(await allPods(database.db)).toEqual([stored(pod('VWAP', 1, 1, { phase: 'Failed', ready: false }))]);
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

    expect(await allPods(database.db)).toEqual([stored(pod('VWAP', 1))]);
  });

  it('writes what a watch saw, the last observation of a pod winning, and moves since only on a change of phase or readiness', async () => {
    await applyPodObservations(database.db, epoch, [{ kind: 'seen', pod: pod('VWAP', 1, 1, PENDING) }]);
    // An hour back, so that a change of `since` shows whatever the clock's resolution.
    await database.db.execute(sql`update pods set since = since - interval '1 hour'`);
    const pendingSince = await sinceOf('vwap-1');
    await applyPodObservations(database.db, epoch, [{ kind: 'seen', pod: pod('VWAP', 1, 1, { ...PENDING, node: 'node-2' }) }]);
    expect(await sinceOf('vwap-1')).toEqual(pendingSince);

    const written = await applyPodObservations(database.db, epoch, [
      { kind: 'seen', pod: pod('VWAP', 1, 1, { phase: 'Running', ready: false }) },
      { kind: 'seen', pod: pod('VWAP', 1) },
      { kind: 'seen', pod: pod('TWAP', 1) },
    ]);

    expect(written.statusChanges.map(({ pod: { name }, from, to }) => ({ name, from, to }))).toEqual([
      { name: 'vwap-1', from: { phase: 'Pending', ready: false }, to: { phase: 'Running', ready: true } },
      { name: 'twap-1', from: null, to: { phase: 'Running', ready: true } },
    ]);
    expect((await sinceOf('vwap-1'))?.getTime()).toBeGreaterThan(pendingSince?.getTime() ?? Number.POSITIVE_INFINITY);
    expect(await allPods(database.db)).toEqual([stored(pod('TWAP', 1)), stored(pod('VWAP', 1))]);
  });

  it('forgets a pod the watch saw deleted, unless the row is already a newer pod of that name', async () => {
    await replacePods(database.db, epoch, [pod('VWAP', 1), pod('TWAP', 1, 1)]);
    await upsertPod(database.db, { ...pod('TWAP', 1, 2), specHash: 'hash-new' });

    const written = await applyPodObservations(database.db, epoch, [
      { kind: 'gone', pod: pod('VWAP', 1) },
      { kind: 'gone', pod: pod('TWAP', 1, 1) },
      { kind: 'gone', pod: pod('HFT', 1) },
    ]);

    expect(written.removed).toEqual([stored(pod('VWAP', 1))]);
    expect((await allPods(database.db)).map((row) => [row.name, row.specHash])).toEqual([['twap-1', 'hash-new']]);
  });

  it('writes a pod seen gone and then seen again as a new pod, even when it fails like the one before', async () => {
    const failed = pod('VWAP', 1, 1, { phase: 'Failed', ready: false, reason: 'Error' });
    await applyPodObservations(database.db, epoch, [{ kind: 'seen', pod: failed }]);
    await database.db.execute(sql`update pods set since = since - interval '1 hour'`);
    const failedSince = await sinceOf('vwap-1');

    const written = await applyPodObservations(database.db, epoch, [
      { kind: 'gone', pod: failed },
      { kind: 'seen', pod: pod('VWAP', 1) },
      { kind: 'seen', pod: failed },
    ]);

    expect(written.statusChanges).toEqual([{ pod: failed, from: null, to: { phase: 'Failed', ready: false } }]);
    expect(written.removed).toEqual([]);
    expect((await sinceOf('vwap-1'))?.getTime()).toBeGreaterThan(failedSince?.getTime() ?? Number.POSITIVE_INFINITY);
  });

  it('refuses a watch write of a stale epoch', async () => {
    await advanceLeaderEpoch(database.db, 'replica-b');

    await expect(applyPodObservations(database.db, epoch, [{ kind: 'seen', pod: pod('VWAP', 1) }])).rejects.toBeInstanceOf(
      StaleEpochError,
    );
    expect(await countPods(database.db)).toBe(0);
  });

  it('records a created pod as Pending, keeps the health the watch wrote when recreated, and forgets a deleted one', async () => {
    const { name, clientId, algorithm, specHash, epoch: createdEpoch } = pod('VWAP', 1);
    const created = { name, clientId, algorithm, specHash, epoch: createdEpoch };
    await upsertPod(database.db, created);
    expect((await allPods(database.db))[0]?.health).toEqual(PENDING);

    await applyPodObservations(database.db, epoch, [{ kind: 'seen', pod: pod('VWAP', 1) }]);
    await upsertPod(database.db, { ...created, epoch: 7, specHash: 'new-hash' });
    await upsertPod(database.db, { ...created, name: 'twap-1', algorithm: 'TWAP' });
    await deletePod(database.db, 'twap-1');
    await deletePod(database.db, 'missing-1');

    expect(await allPods(database.db)).toEqual([stored({ ...pod('VWAP', 1, 7), specHash: 'new-hash' })]);
  });

  it('reads the pods of some clients', async () => {
    await replacePods(database.db, epoch, [pod('VWAP', 1), pod('TWAP', 2), pod('HFT', 2), pod('VWAP', 3)]);

    const found = await podsOfClients(database.db, [2, 3, 4]);

    expect(found.map((row) => row.name).sort()).toEqual(['hft-2', 'twap-2', 'vwap-3']);
    expect(await podsOfClients(database.db, [])).toEqual([]);
  });

  it('counts pods by phase and readiness, with their container restarts', async () => {
    await replacePods(database.db, epoch, [
      pod('VWAP', 1, 1, { restarts: 2 }),
      pod('TWAP', 1, 1, { restarts: 1 }),
      pod('HFT', 1, 1, { ready: false, reason: 'CrashLoopBackOff', restarts: 9 }),
    ]);

    const counts = await podHealthCounts(database.db);

    expect(counts.sort((a, b) => Number(a.ready) - Number(b.ready))).toEqual([
      { phase: 'Running', ready: false, pods: 1, restarts: 9 },
      { phase: 'Running', ready: true, pods: 2, restarts: 3 },
    ]);
  });
});
