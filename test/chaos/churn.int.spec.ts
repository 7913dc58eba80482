import postgres from 'postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Cluster, startCluster } from '../support/cluster';
import { chaosSettings, reportFigures, spread } from './chaos-figures';
import { ALGORITHMS, sleep, TTL } from './chaos-cluster';
import { waitForFleetInStep } from './fleet';
import { describeCalls, duplicateOperations, staleEpochCalls } from './kube-call-audit';
import { type Failover, measureFailover } from './leader-terms';
import { WriteLoad } from './write-load';

/**
 * Scenario 6 of the cluster proof: mixed writes at a bounded rate while the leader is killed
 * (SIGKILL) at a fixed period and restarted, so that three replicas are always there. At the end
 * the pods match the database exactly, no pod was created twice within one epoch, and every
 * acknowledged write is in the database. The regular test run keeps it short; `npm run chaos`
 * runs the 60 s with a kill every 10 s of the issue (CHAOS_CHURN_SECONDS, CHAOS_KILL_EVERY_SECONDS).
 */
describe('chaos: churn while the leader is killed again and again', () => {
  let cluster: Cluster;
  let sql: postgres.Sql;
  const settings = chaosSettings();
  const churnMs = settings.churnSeconds * 1_000;
  const killEveryMs = settings.killEverySeconds * 1_000;

  beforeAll(async () => {
    cluster = await startCluster({ replicas: 3, ttl: TTL });
    sql = postgres(cluster.databaseUrl, { max: 2, onnotice: () => undefined });
  });
  afterAll(async () => {
    await sql?.end();
    await cluster?.close();
  });
  beforeEach(({ onTestFailed }) => onTestFailed(() => console.log(cluster.dumpLogs())));

  it(
    `scenario 6: ${settings.churnSeconds} s of writes with the leader killed every ${settings.killEverySeconds} s lose no acknowledged write, and the pods converge`,
    { timeout: churnMs + 180_000 },
    async () => {
      const load = new WriteLoad(cluster.gateway, { writesPerSecond: settings.writesPerSecond, algorithms: ALGORITHMS });
      const startedAt = Date.now();
      const writing = load.run({ durationMs: churnMs });

      const failovers: Failover[] = [];
      for (let killAt = startedAt + killEveryMs; killAt < startedAt + churnMs; killAt += killEveryMs) {
        await sleep(killAt - Date.now());
        let restarted: Promise<void> = Promise.resolve();
        failovers.push(
          await measureFailover(cluster, async (leader) => {
            await leader.kill('SIGKILL');
            restarted = leader.start();
          }),
        );
        await restarted;
      }
      await writing;
      const writesEndedAt = Date.now();
      await waitForFleetInStep(cluster, sql, 60_000);
      const convergedAt = Date.now();

      const calls = await cluster.kubeCalls();
      const stale = staleEpochCalls(calls);
      const duplicates = duplicateOperations(calls);
      const lost = await load.lostWrites(sql);
      const leaderTimes = failovers.map((failover) => failover.leaderMs);
      reportFigures('churn', {
        churnMs: writesEndedAt - startedAt,
        kills: failovers.length,
        newLeaderMs: leaderTimes,
        newLeaderMedianMs: spread(leaderTimes)?.median ?? NaN,
        writes: load.tally.sent,
        writesAcknowledged: load.tally.acknowledged,
        writesFailed: load.tally.failed,
        podCalls: calls.length,
        convergedAfterWritesMs: convergedAt - writesEndedAt,
        staleLeaderCalls: stale.length,
        duplicateCreates: duplicates.filter((duplicate) => duplicate.kind === 'create').length,
        duplicateDeletes: duplicates.filter((duplicate) => duplicate.kind === 'delete').length,
        lostWrites: lost.length,
      });

      expect(failovers.length).toBeGreaterThan(0);
      expect(load.tally.failures).toEqual([]);
      expect(lost).toEqual([]);
      expect(stale, describeCalls(stale)).toEqual([]);
      expect(duplicates, JSON.stringify(duplicates)).toEqual([]);
    },
  );
});
