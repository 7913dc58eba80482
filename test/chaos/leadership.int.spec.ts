import postgres from 'postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Cluster, startCluster } from '../support/cluster';
import type { ReplicaProcess } from '../support/replica-process';
import { chaosSettings, reportFigures, spread } from './chaos-figures';
import { ALGORITHMS, createClients, sleep, TTL, TTL_MS } from './chaos-cluster';
import { waitForFleetInStep } from './fleet';
import { callsOfTermAfter, describeCalls, duplicateOperations, staleEpochCalls } from './kube-call-audit';
import { type Failover, leaderSince, measureFailover, waitForLeader } from './leader-terms';
import { WriteLoad } from './write-load';

/** The issue expects a fail-over, first round included, within TTL + 2 s. */
const EXPECTED_MS = TTL_MS + 2_000;
/**
 * What the test holds a fail-over to: the expectation doubled, because two cores also run the
 * other suites; the measured times are printed, and `npm run chaos` compares them with the
 * expectation itself.
 */
const BOUND_MS = 2 * EXPECTED_MS;

/**
 * Scenarios 1, 2 and 7 of the cluster proof, on one cluster of three replicas (each scenario
 * leaves three or more running and the pods in step): the leader killed, the leader frozen past
 * its lease, and two replicas joining under load. The safety properties are read from the test
 * Kubernetes API server's record of every pod call.
 */
describe('chaos: leadership', () => {
  let cluster: Cluster;
  let sql: postgres.Sql;
  const { failoverKills } = chaosSettings();

  beforeAll(async () => {
    cluster = await startCluster({
      replicas: 3,
      ttl: TTL,
      // A deployer rate low enough that a leader is still busy with a round when it is paused.
      replicaEnv: { PODSYNC_OPS_PER_SECOND: '20' },
    });
    sql = postgres(cluster.databaseUrl, { max: 2, onnotice: () => undefined });
  });
  afterAll(async () => {
    await sql?.end();
    await cluster?.close();
  });
  beforeEach(({ onTestFailed }) => onTestFailed(() => console.log(cluster.dumpLogs())));

  it(
    `scenario 1: after kill -9 of the leader a new one takes over and finishes a round, ${failoverKills} times in a row`,
    { timeout: 60_000 + failoverKills * 30_000 },
    async () => {
      const ids = await createClients(cluster, 5, { VWAP: true, HFT: true });
      await waitForFleetInStep(cluster, sql, 20_000);

      const failovers: Failover[] = [];
      for (let kill = 0; kill < failoverKills; kill += 1) {
        let restarted: Promise<void> = Promise.resolve();
        const failover = await measureFailover(cluster, async (leader) => {
          await leader.kill('SIGKILL');
          // Three replicas again for the next kill; the new one campaigns as soon as it is up.
          restarted = leader.start();
        });
        failovers.push(failover);
        await restarted;
        // Work for the next term: its first round must carry it out.
        const id = ids[kill % ids.length];
        await cluster.gateway.request('PUT', `/api/v1/status/${id}`, { json: { TWAP: kill % 2 === 0 } });
      }
      await waitForFleetInStep(cluster, sql, 20_000);

      const calls = await cluster.kubeCalls();
      const stale = staleEpochCalls(calls);
      const duplicates = duplicateOperations(calls);
      const leaderTimes = failovers.map((failover) => failover.leaderMs);
      const roundTimes = failovers.map((failover) => failover.roundMs);
      reportFigures('failover', {
        ttlMs: TTL_MS,
        kills: failovers.length,
        newLeaderMs: leaderTimes,
        firstRoundMs: roundTimes,
        newLeaderMedianMs: spread(leaderTimes)?.median ?? NaN,
        firstRoundMedianMs: spread(roundTimes)?.median ?? NaN,
        withinTtlPlus2s: failovers.filter((failover) => failover.roundMs <= EXPECTED_MS).length,
        staleLeaderCalls: stale.length,
        duplicateOperations: duplicates.length,
      });

      for (const failover of failovers) {
        // A new term: the killed process is gone, and its restarted successor of the same replica
        // id may win the lease as fairly as the others, so the epoch tells the terms apart.
        expect(failover.to.epoch).toBeGreaterThan(failover.from.epoch);
        expect(failover.leaderMs).toBeLessThanOrEqual(BOUND_MS);
        expect(failover.roundMs).toBeLessThanOrEqual(BOUND_MS);
      }
      expect(stale, describeCalls(stale)).toEqual([]);
      expect(duplicates, JSON.stringify(duplicates)).toEqual([]);
    },
  );

  it(
    'scenario 2: a leader frozen past its lease makes no pod call when it wakes, and steps down',
    { timeout: 120_000 },
    async () => {
      const leader = await waitForLeader(cluster);
      // 60 pods at 20 per second: the leader is still creating them when it is frozen.
      const ids = new Set(await createClients(cluster, 20, { VWAP: true, TWAP: true, HFT: true }));
      const ofNewClients = async (): Promise<number> =>
        (await cluster.kube.pods(cluster.namespace)).filter((pod) => ids.has(Number(pod.metadata.labels?.['podsync/client-id'])))
          .length;
      await cluster.waitFor(async () => (await ofNewClients()) >= 10, { what: 'the leader to be creating pods' });

      const pausedAt = Date.now();
      leader.replica.pause();
      await sleep(2 * TTL_MS);
      // The successor takes office while the old leader is still frozen (bounded for a busy machine).
      const successor = await waitForLeader(cluster, { after: leader.epoch, timeoutMs: 10_000 });
      leader.replica.resume();
      const resumedAt = Date.now();

      await cluster.waitFor(
        () => leader.replica.output.find({ component: 'leader', msg: 'no longer leader', epoch: leader.epoch }) !== undefined,
        { what: `${leader.replica.id} to log that it is no longer leader` },
      );
      expect(await leader.replica.isLeader()).toBe(false);
      await waitForFleetInStep(cluster, sql, 30_000);

      const successorSince = await leaderSince(cluster, successor.epoch);
      const calls = await cluster.kubeCalls();
      // The lease was last renewed before the pause, so it expired at most one TTL into it.
      const afterExpiry = callsOfTermAfter(calls, leader.replica.id, leader.epoch, pausedAt + TTL_MS);
      const stale = staleEpochCalls(calls);
      const duplicates = duplicateOperations(calls);
      const callsBeforePause = calls.filter(
        (call) => call.replicaId === leader.replica.id && call.at >= pausedAt - 1_000 && call.at < pausedAt,
      ).length;
      reportFigures('paused-leader', {
        ttlMs: TTL_MS,
        pausedMs: resumedAt - pausedAt,
        takeoverMs: successorSince - pausedAt,
        oldLeaderCallsInTheSecondBeforePause: callsBeforePause,
        staleLeaderCalls: new Set([...afterExpiry, ...stale]).size,
        duplicateOperations: duplicates.length,
      });

      expect(successor.replica.id).not.toBe(leader.replica.id);
      expect(successorSince).toBeLessThan(resumedAt);
      expect(afterExpiry, describeCalls(afterExpiry)).toEqual([]);
      expect(stale, describeCalls(stale)).toEqual([]);
      expect(duplicates, JSON.stringify(duplicates)).toEqual([]);
    },
  );

  it(
    'scenario 7: two replicas join under load; the leader and its epoch stay, and no operation is done twice',
    { timeout: 120_000 },
    async () => {
      const leader = await waitForLeader(cluster);
      const load = new WriteLoad(cluster.gateway, { writesPerSecond: 10, algorithms: ALGORITHMS });
      const stopping = new AbortController();
      const writing = load.run({ signal: stopping.signal });

      const joined: ReplicaProcess[] = [];
      for (let added = 0; added < 2; added += 1) {
        joined.push(await cluster.addReplica());
        // Long enough for the newcomer to try for the lease several times.
        await sleep(2 * TTL_MS);
      }
      stopping.abort();
      await writing;
      await waitForFleetInStep(cluster, sql, 30_000);

      const after = await waitForLeader(cluster);
      const [epochRow] = await sql<{ epoch: number }[]>`select epoch::int as epoch from leader_epoch`;
      const view = (await cluster.gateway.request('GET', '/api/v1/cluster')).body.data;
      const calls = await cluster.kubeCalls();
      const duplicates = duplicateOperations(calls);
      const stale = staleEpochCalls(calls);
      const lost = await load.lostWrites(sql);
      const newcomersElected = joined.filter((replica) => replica.output.find({ component: 'leader', msg: 'elected leader' }));
      reportFigures('scale-out', {
        replicas: cluster.replicas.length,
        listedReplicas: view.replicas.length,
        leaderChanges: (epochRow?.epoch ?? 0) - leader.epoch,
        writes: load.tally.sent,
        writesAcknowledged: load.tally.acknowledged,
        duplicateOperations: duplicates.length,
        staleLeaderCalls: stale.length,
        lostWrites: lost.length,
      });

      expect(after.replica.id).toBe(leader.replica.id);
      expect(after.epoch).toBe(leader.epoch);
      expect(epochRow?.epoch).toBe(leader.epoch);
      expect(newcomersElected).toEqual([]);
      expect(view.replicas).toHaveLength(5);
      expect(duplicates, JSON.stringify(duplicates)).toEqual([]);
      expect(stale, describeCalls(stale)).toEqual([]);
      expect(load.tally.failures).toEqual([]);
      expect(lost).toEqual([]);
    },
  );
});
