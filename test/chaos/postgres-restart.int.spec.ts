import postgres from 'postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Cluster, startCluster } from '../support/cluster';
import type { OwnPostgresServer } from '../support/own-postgres-server';
import { reportFigures } from './chaos-figures';
import { ALGORITHMS, CLIENT_BODY, createClients, sleep, TTL } from './chaos-cluster';
import { waitForFleetInStep } from './fleet';
import { waitForLeader } from './leader-terms';
import { WriteLoad } from './write-load';

/** How long the database stays down: several periodic rounds and retries of the reconciler. */
const OUTAGE_MS = 5_000;

/**
 * Scenario 5 of the cluster proof: the database restarted under the running cluster (a
 * PostgreSQL of the test's own). While it is down the gateway answers 503 with a message that
 * says so, never 500, and the reconciler skips its rounds; once it is back both serve again
 * without being restarted.
 */
describe('chaos: PostgreSQL restart', () => {
  let cluster: Cluster;
  let server: OwnPostgresServer;
  let sql: postgres.Sql;

  beforeAll(async () => {
    // Periodic rounds every 2 s, so that the leader tries rounds while the database is down.
    cluster = await startCluster({ replicas: 2, ttl: TTL, syncInterval: '2s', ownPostgres: true });
    if (cluster.postgres === undefined) throw new Error('the cluster was started without its own PostgreSQL');
    server = cluster.postgres;
    sql = postgres(cluster.databaseUrl, { max: 2, onnotice: () => undefined });
  });
  afterAll(async () => {
    await sql?.end({ timeout: 1 });
    await cluster?.close();
  });
  beforeEach(({ onTestFailed }) => onTestFailed(() => console.log(cluster.dumpLogs())));

  it(
    'scenario 5: while the database is down the gateway answers 503 and rounds are skipped; both recover without a restart',
    { timeout: 120_000 },
    async () => {
      const [id] = await createClients(cluster, 3, { VWAP: true, TWAP: true });
      await waitForFleetInStep(cluster, sql, 20_000);
      const leader = await waitForLeader(cluster);
      const pids = [cluster.gateway, ...cluster.replicas].map((app) => app.pid);

      // Writes under way when the server goes: some are cut off mid-transaction.
      const load = new WriteLoad(cluster.gateway, { writesPerSecond: 20, algorithms: ALGORITHMS });
      const writing = load.run({ durationMs: 2_000 + OUTAGE_MS });
      await sleep(2_000);
      const stoppedAt = Date.now();
      await server.stop();

      const requests: [string, string, unknown][] = [
        ['GET', '/api/v1/clients', undefined],
        ['GET', `/api/v1/clients/${id}`, undefined],
        ['POST', '/api/v1/clients', CLIENT_BODY],
        ['PUT', `/api/v1/clients/${id}`, CLIENT_BODY],
        ['PUT', `/api/v1/status/${id}`, { HFT: true }],
        ['GET', `/api/v1/status/${id}`, undefined],
        ['DELETE', `/api/v1/clients/${id}`, undefined],
        ['GET', '/api/v1/operations', undefined],
        ['GET', '/api/v1/sync/rounds', undefined],
        ['GET', '/api/v1/cluster', undefined],
        ['POST', '/api/v1/sync', undefined],
        ['GET', '/api/ready', undefined],
      ];
      const answers: { request: string; status: number; message: unknown }[] = [];
      while (Date.now() < stoppedAt + OUTAGE_MS) {
        for (const [method, path, body] of requests) {
          const answer = await cluster.gateway.request(method, path, body === undefined ? {} : { json: body });
          answers.push({ request: `${method} ${path}`, status: answer.status, message: answer.body?.message });
        }
        await sleep(500);
      }
      await writing;
      const failedRounds = leader.replica.output.lines(
        (line) => line.json?.msg === 'sync round failed' && line.at.getTime() > stoppedAt,
      ).length;

      await server.start();
      const restartedAt = Date.now();
      await cluster.waitFor(async () => (await cluster.gateway.request('GET', '/api/ready')).status === 200, {
        what: 'the gateway to be ready again',
        timeoutMs: 30_000,
      });
      const gatewayBackAt = Date.now();
      const [after] = await createClients(cluster, 1, { HFT: true });
      await cluster.waitFor(
        async () => (await cluster.kube.pods(cluster.namespace)).some((pod) => pod.metadata.name === `hft-${after}`),
        { what: `hft-${after} created after the restart`, timeoutMs: 60_000 },
      );
      const reconcilerBackAt = Date.now();
      await waitForFleetInStep(cluster, sql, 60_000);

      const errors = answers.filter((answer) => answer.status >= 500 && answer.status !== 503);
      const unavailable = answers.filter((answer) => answer.status === 503);
      const otherwise = answers.filter((answer) => answer.status !== 503);
      const unclear = unavailable.filter((answer) => typeof answer.message !== 'string' || !/database/i.test(answer.message));
      const lost = await load.lostWrites(sql);
      reportFigures('postgres-restart', {
        outageMs: restartedAt - stoppedAt,
        requestsDuringOutage: answers.length,
        answered503: unavailable.length,
        answered500: errors.length,
        gatewayBackMs: gatewayBackAt - restartedAt,
        reconcilerBackMs: reconcilerBackAt - restartedAt,
        roundsFailedDuringOutage: failedRounds,
        writes: load.tally.sent,
        writesAcknowledged: load.tally.acknowledged,
        lostWrites: lost.length,
      });

      // While the database is down nothing it holds can be served, nor changed: every answer is 503.
      expect(otherwise).toEqual([]);
      expect(unclear).toEqual([]);
      expect(failedRounds).toBeGreaterThan(0);
      expect([cluster.gateway, ...cluster.replicas].map((app) => app.pid)).toEqual(pids);
      expect(lost).toEqual([]);
    },
  );
});
