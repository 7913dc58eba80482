import { randomBytes } from 'node:crypto';
import { currentLeaderEpoch, type Database, openDatabase } from '@podsync/db';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type OwnRedisServer, startOwnRedisServer } from '../../../../test/support/own-redis-server';
import { waitUntil } from '../../../../test/support/wait-until';
import { TEST_SERVERS } from '../../../../test/support/servers';
import { createMigratedDatabase, type MigratedTestDatabase } from '../../../../test/support/test-database';
import { createLeadership, type Leadership } from './create-leadership';
import { type Lease, type LeadershipChange, LeaseLostError } from './leader-elector';
import { RedlockLeaderElector } from './redlock-leader-elector';

const TTL_MS = 1_000;
/** Longer than any step-down or takeover below needs, and short of a hang. */
const BOUND_MS = 10_000;

describe(RedlockLeaderElector.name, () => {
  let testDatabase: MigratedTestDatabase;
  let database: Database;
  const opened: Leadership[] = [];
  const ownServers: OwnRedisServer[] = [];

  beforeAll(async () => {
    testDatabase = await createMigratedDatabase();
    ({ database } = testDatabase);
  });

  afterEach(async () => {
    await Promise.allSettled(opened.splice(0).map((leadership) => leadership.close()));
    await Promise.allSettled(ownServers.splice(0).map((server) => server.close()));
  });

  afterAll(async () => {
    await testDatabase.dispose();
  });

  const keyPrefix = (): string => `podsync-test-${randomBytes(6).toString('hex')}:`;

  /** A replica's leadership with every change it reported. */
  function replica(replicaId: string, settings: { redisUrls: string[]; keyPrefix: string; ttlMs?: number }, db = database.db) {
    const leadership = createLeadership({ replicaId, ttlMs: TTL_MS, ...settings }, db);
    opened.push(leadership);
    const changes: LeadershipChange[] = [];
    leadership.elector.onChange((change) => changes.push(change));
    return { replicaId, ...leadership, changes };
  }

  async function ownServer(): Promise<OwnRedisServer> {
    const server = await startOwnRedisServer();
    ownServers.push(server);
    return server;
  }

  async function leaseOf(elector: { current(): Lease | undefined }, what: string): Promise<Lease> {
    await waitUntil(() => elector.current() !== undefined, what, BOUND_MS);
    const lease = elector.current();
    if (lease === undefined) throw new Error(`${what}: the lease was lost again at once`);
    return lease;
  }

  it('elects exactly one of two replicas, records it with a new epoch, and fails over when the leader stops', async () => {
    const prefix = keyPrefix();
    const replicas = [
      replica('replica-a', { redisUrls: [TEST_SERVERS.redis.url], keyPrefix: prefix, ttlMs: 5_000 }),
      replica('replica-b', { redisUrls: [TEST_SERVERS.redis.url], keyPrefix: prefix, ttlMs: 5_000 }),
    ];
    const leaders = () => replicas.filter((candidate) => candidate.elector.current() !== undefined);
    expect(replicas[0]?.elector).toBeInstanceOf(RedlockLeaderElector);
    await Promise.all(replicas.map((candidate) => candidate.elector.start()));

    await waitUntil(() => leaders().length === 1, 'a leader', BOUND_MS);
    const [first] = leaders();
    const second = replicas.find((candidate) => candidate !== first);
    if (first === undefined || second === undefined) throw new Error('expected one leader and one follower');
    const firstLease = await leaseOf(first.elector, 'the first leader');
    expect(await currentLeaderEpoch(database.db)).toEqual({
      epoch: firstLease.epoch,
      replicaId: first.replicaId,
      since: expect.any(Date),
    });

    // Across several renewals and follower attempts, leadership stays where it is.
    for (let sample = 0; sample < 5; sample += 1) {
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(leaders()).toEqual([first]);
    }

    await first.elector.stop();
    expect(firstLease.signal.aborted).toBe(true);
    expect(firstLease.isValid()).toBe(false);
    expect(first.changes).toEqual([
      { kind: 'elected', lease: firstLease },
      { kind: 'demoted', epoch: firstLease.epoch, reason: expect.objectContaining({ reason: 'stopped' }) },
    ]);

    // Within the 5 s TTL: the lock was released, not left to expire.
    await waitUntil(() => second.elector.current() !== undefined, 'the follower to take over', 4_000);
    const secondLease = await leaseOf(second.elector, 'the second leader');
    expect(secondLease.epoch).toBeGreaterThan(firstLease.epoch);
    expect(leaders()).toEqual([second]);

    await first.elector.start();
    await second.elector.stop();
    const thirdLease = await leaseOf(first.elector, 'the first replica to lead again');
    expect(thirdLease.epoch).toBeGreaterThan(secondLease.epoch);
    expect(await currentLeaderEpoch(database.db)).toMatchObject({ epoch: thirdLease.epoch, replicaId: first.replicaId });
  });

  it('releases the lock when it stops', async () => {
    const prefix = keyPrefix();
    const only = replica('replica-a', { redisUrls: [TEST_SERVERS.redis.url], keyPrefix: prefix });
    const inspector = new Redis(TEST_SERVERS.redis.url);
    try {
      await only.elector.start();
      await leaseOf(only.elector, 'the leader');
      expect(await inspector.exists(`${prefix}leader`)).toBe(1);

      await only.elector.stop();

      expect(await inspector.exists(`${prefix}leader`)).toBe(0);
    } finally {
      inspector.disconnect();
    }
  });

  it('starts a new term with a higher epoch after stepping down', async () => {
    const only = replica('replica-a', { redisUrls: [TEST_SERVERS.redis.url], keyPrefix: keyPrefix() });
    await only.elector.start();
    const firstLease = await leaseOf(only.elector, 'the leader');

    await only.elector.stepDown();

    expect(firstLease.signal.reason).toMatchObject({ name: 'LeaseLostError', reason: 'stepped-down' });
    const nextLease = await leaseOf(only.elector, 'the next term');
    expect(nextLease.epoch).toBeGreaterThan(firstLease.epoch);
  });

  it('steps down within the TTL when its Redis dies, and a replica leads again once Redis is back', async () => {
    const server = await ownServer();
    const prefix = keyPrefix();
    const replicas = [
      replica('replica-a', { redisUrls: [server.url], keyPrefix: prefix }),
      replica('replica-b', { redisUrls: [server.url], keyPrefix: prefix }),
    ];
    const leaders = () => replicas.filter((candidate) => candidate.elector.current() !== undefined);
    await Promise.all(replicas.map((candidate) => candidate.elector.start()));
    await waitUntil(() => leaders().length === 1, 'a leader', BOUND_MS);
    const [leader] = leaders();
    if (leader === undefined) throw new Error('expected a leader');
    const lease = await leaseOf(leader.elector, 'the leader');

    await server.kill();

    await waitUntil(() => lease.signal.aborted, 'the leader to step down', TTL_MS + 1_000);
    expect(lease.isValid()).toBe(false);
    expect(() => lease.assertValid()).toThrow(LeaseLostError);
    expect(lease.signal.reason).toMatchObject({ reason: expect.stringMatching(/^(extend-failed|expired)$/) });
    expect(leaders()).toEqual([]);
    expect(leader.changes.at(-1)).toMatchObject({ kind: 'demoted', epoch: lease.epoch });

    await server.restart();

    await waitUntil(() => leaders().length === 1, 'a leader once Redis is back', BOUND_MS);
    const [nextLeader] = leaders();
    if (nextLeader === undefined) throw new Error('expected a leader');
    expect((await leaseOf(nextLeader.elector, 'the next leader')).epoch).toBeGreaterThan(lease.epoch);
  });

  it('steps down within the TTL when its Redis hangs instead of waiting on it', async () => {
    const server = await ownServer();
    const only = replica('replica-a', { redisUrls: [server.url], keyPrefix: keyPrefix() });
    await only.elector.start();
    const lease = await leaseOf(only.elector, 'the leader');

    server.pause();
    try {
      await waitUntil(() => lease.signal.aborted, 'the leader to step down', TTL_MS + 1_000);
      expect(only.elector.current()).toBeUndefined();
    } finally {
      server.resume();
    }

    expect((await leaseOf(only.elector, 'the leader once Redis answers again')).epoch).toBeGreaterThan(lease.epoch);
  });

  it('keeps the lease while a majority of its Redis servers answer, and loses it without one', async () => {
    const servers = await Promise.all([ownServer(), ownServer(), ownServer()]);
    const prefix = keyPrefix();
    const redisUrls = servers.map((server) => server.url);
    const leader = replica('replica-a', { redisUrls, keyPrefix: prefix });
    const follower = replica('replica-b', { redisUrls, keyPrefix: prefix });
    await leader.elector.start();
    const lease = await leaseOf(leader.elector, 'the leader');
    await follower.elector.start();

    await servers[0]?.kill();
    // Several renewals against two of three servers.
    for (let sample = 0; sample < 5; sample += 1) {
      await new Promise((resolve) => setTimeout(resolve, TTL_MS / 2));
      expect(lease.isValid()).toBe(true);
      expect(follower.elector.current()).toBeUndefined();
    }

    await servers[1]?.kill();

    await waitUntil(() => lease.signal.aborted, 'the leader to step down', TTL_MS + 1_000);
    expect(leader.elector.current()).toBeUndefined();
    expect(follower.elector.current()).toBeUndefined();
  });

  it('stays a follower, leaving the lock free, when it cannot advance the epoch', async () => {
    const prefix = keyPrefix();
    const unreachable = new URL(testDatabase.url);
    unreachable.pathname = `/podsync_missing_${randomBytes(6).toString('hex')}`;
    const brokenDatabase = openDatabase({ url: unreachable.toString(), dataDir: '' });
    try {
      const broken = replica('replica-broken', { redisUrls: [TEST_SERVERS.redis.url], keyPrefix: prefix }, brokenDatabase.db);
      await broken.elector.start();
      // Let it win and lose the lock a few times before a healthy replica joins.
      await new Promise((resolve) => setTimeout(resolve, TTL_MS));
      const healthy = replica('replica-healthy', { redisUrls: [TEST_SERVERS.redis.url], keyPrefix: prefix });
      await healthy.elector.start();

      await leaseOf(healthy.elector, 'the healthy replica to lead');
      expect(broken.changes).toEqual([]);
      expect(broken.elector.current()).toBeUndefined();
    } finally {
      await brokenDatabase.close();
    }
  });
});
