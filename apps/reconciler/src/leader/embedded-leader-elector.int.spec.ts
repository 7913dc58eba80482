import { currentLeaderEpoch, type Database } from '@podsync/db';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMigratedDatabase, type MigratedTestDatabase } from '../../../../test/support/test-database';
import { createLeadership, type Leadership } from './create-leadership';
import { EmbeddedLeaderElector } from './embedded-leader-elector';
import { EmbeddedReplicaRegistry } from './embedded-replica-registry';
import type { LeadershipChange } from './leader-elector';

describe(EmbeddedLeaderElector.name, () => {
  let testDatabase: MigratedTestDatabase;
  let database: Database;
  let leadership: Leadership;
  let changes: LeadershipChange[];

  beforeAll(async () => {
    testDatabase = await createMigratedDatabase();
    ({ database } = testDatabase);
  });

  afterEach(async () => {
    await leadership.close();
  });

  afterAll(async () => {
    await testDatabase.dispose();
  });

  function embedded(): Leadership {
    leadership = createLeadership({ replicaId: 'replica-solo', redisUrls: [], ttlMs: 5_000 }, database.db);
    changes = [];
    leadership.elector.onChange((change) => changes.push(change));
    return leadership;
  }

  it('leads as soon as it starts, under an epoch advanced in the database', async () => {
    const { elector, registry } = embedded();
    expect(elector).toBeInstanceOf(EmbeddedLeaderElector);
    expect(registry).toBeInstanceOf(EmbeddedReplicaRegistry);

    await elector.start();

    const lease = elector.current();
    expect(lease?.isValid()).toBe(true);
    expect(() => lease?.assertValid()).not.toThrow();
    expect(await currentLeaderEpoch(database.db)).toEqual({
      epoch: lease?.epoch,
      replicaId: 'replica-solo',
      since: expect.any(Date),
    });
    expect(changes).toEqual([{ kind: 'elected', lease }]);
    expect(await registry.list()).toEqual([{ replicaId: 'replica-solo', role: 'leader', lastSeen: expect.any(Date) }]);
  });

  it('takes a new epoch when it steps down', async () => {
    const { elector } = embedded();
    await elector.start();
    const first = elector.current();

    await elector.stepDown();

    const next = elector.current();
    expect(first?.signal.reason).toMatchObject({ name: 'LeaseLostError', reason: 'stepped-down' });
    expect(next?.epoch).toBe((first?.epoch ?? 0) + 1);
    expect(changes.map((change) => change.kind)).toEqual(['elected', 'demoted', 'elected']);
  });

  it('ends its leadership when it stops', async () => {
    const { elector, registry } = embedded();
    await elector.start();
    const lease = elector.current();

    await elector.stop();

    expect(lease?.signal.aborted).toBe(true);
    expect(lease?.isValid()).toBe(false);
    expect(elector.current()).toBeUndefined();
    expect(changes.at(-1)).toMatchObject({ kind: 'demoted', epoch: lease?.epoch, reason: { reason: 'stopped' } });
    expect(await registry.list()).toMatchObject([{ replicaId: 'replica-solo', role: 'follower' }]);
  });
});
