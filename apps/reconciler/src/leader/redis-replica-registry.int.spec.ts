import { randomBytes } from 'node:crypto';
import type { Database } from '@podsync/db';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../../../../test/support/wait-until';
import { TEST_SERVERS } from '../../../../test/support/servers';
import { createMigratedDatabase, type MigratedTestDatabase } from '../../../../test/support/test-database';
import { createLeadership, type Leadership } from './create-leadership';
import { RedisReplicaRegistry } from './redis-replica-registry';
import type { ReplicaHeartbeat } from './replica-registry';

const TTL_MS = 1_000;
const BOUND_MS = 10_000;

describe(RedisReplicaRegistry.name, () => {
  let testDatabase: MigratedTestDatabase;
  let database: Database;
  let inspector: Redis;
  const opened: Leadership[] = [];

  beforeAll(async () => {
    testDatabase = await createMigratedDatabase();
    ({ database } = testDatabase);
    inspector = new Redis(TEST_SERVERS.redis.url);
  });

  afterEach(async () => {
    await Promise.allSettled(opened.splice(0).map((leadership) => leadership.close()));
  });

  afterAll(async () => {
    inspector.disconnect();
    await testDatabase.dispose();
  });

  async function startReplicas(keyPrefix: string, ...replicaIds: string[]): Promise<Leadership[]> {
    const leaderships = replicaIds.map((replicaId) =>
      createLeadership({ replicaId, redisUrls: [TEST_SERVERS.redis.url], ttlMs: TTL_MS, keyPrefix }, database.db),
    );
    opened.push(...leaderships);
    for (const leadership of leaderships) {
      await leadership.registry.start();
      await leadership.elector.start();
    }
    return leaderships;
  }

  const roles = (heartbeats: ReplicaHeartbeat[]) => heartbeats.map(({ replicaId, role }) => ({ replicaId, role }));

  it('lists every live replica with its role, and follows a change of leader', async () => {
    const keyPrefix = `podsync-test-${randomBytes(6).toString('hex')}:`;
    const [a, b] = await startReplicas(keyPrefix, 'replica-a', 'replica-b');
    if (a === undefined || b === undefined) throw new Error('expected two replicas');
    expect(a.registry).toBeInstanceOf(RedisReplicaRegistry);
    await waitUntil(() => a.elector.current() !== undefined || b.elector.current() !== undefined, 'a leader', BOUND_MS);
    const [leader, follower] = a.elector.current() === undefined ? [b, a] : [a, b];
    const [leaderId, followerId] = a === leader ? ['replica-a', 'replica-b'] : ['replica-b', 'replica-a'];
    const expected = [
      { replicaId: leaderId, role: 'leader' },
      { replicaId: followerId, role: 'follower' },
    ].sort((x, y) => x.replicaId.localeCompare(y.replicaId));

    await waitUntil(
      async () => JSON.stringify(roles(await a.registry.list())) === JSON.stringify(expected),
      'both replicas listed with their roles',
      BOUND_MS,
    );
    const listed = await b.registry.list();
    expect(roles(listed)).toEqual(expected);
    expect(listed.every((heartbeat) => heartbeat.lastSeen instanceof Date)).toBe(true);
    const expiresInMs = await inspector.pttl(`${keyPrefix}replica:${leaderId}`);
    expect(expiresInMs).toBeGreaterThan(0);
    expect(expiresInMs).toBeLessThanOrEqual(3 * TTL_MS);

    await leader.elector.stop();
    await waitUntil(
      async () =>
        JSON.stringify(roles(await follower.registry.list())) ===
        JSON.stringify(expected.map((entry) => ({ ...entry, role: entry.replicaId === followerId ? 'leader' : 'follower' }))),
      'the roles to swap',
      BOUND_MS,
    );

    await leader.registry.stop();
    expect(roles(await follower.registry.list())).toEqual([{ replicaId: followerId, role: 'leader' }]);
  });

  it('ignores keys under its prefix that are not heartbeats', async () => {
    const keyPrefix = `podsync-test-${randomBytes(6).toString('hex')}:`;
    await inspector.set(`${keyPrefix}replica:garbage`, 'not json', 'PX', 10_000);
    const [only] = await startReplicas(keyPrefix, 'replica-a');
    if (only === undefined) throw new Error('expected a replica');

    expect(roles(await only.registry.list())).toEqual([
      { replicaId: 'replica-a', role: expect.stringMatching(/^(leader|follower)$/) },
    ]);
  });
});
