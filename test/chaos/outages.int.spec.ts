import postgres from 'postgres';
import { EVENT_SUBJECTS } from '@podsync/bus';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Cluster, startCluster } from '../support/cluster';
import { readStream, streamInfo } from '../support/jetstream-streams';
import { reportFigures } from './chaos-figures';
import { ALGORITHMS, createClients, sleep, TTL, TTL_MS } from './chaos-cluster';
import { waitForFleetInStep } from './fleet';
import { callsBetween, describeCalls, duplicateOperations, staleEpochCalls } from './kube-call-audit';
import { leaderSince, leadingNow, waitForLeader } from './leader-terms';
import { WriteLoad } from './write-load';

const WRITES = 500;
const STOP_AT_WRITE = 150;
const START_AT_WRITE = 300;

interface EventPayload {
  id: number;
}

interface OpsPayload {
  at: string;
}

/**
 * Scenarios 3 and 4 of the cluster proof, on one cluster of two replicas: its Redis, where the
 * lease lives, gone for 3 × TTL, then its NATS stopped in the middle of 500 writes. Each
 * scenario ends with the pods in step, so the next one starts from a settled cluster.
 */
describe('chaos: Redis and NATS outages', () => {
  let cluster: Cluster;
  let sql: postgres.Sql;

  beforeAll(async () => {
    cluster = await startCluster({ replicas: 2, ttl: TTL });
    sql = postgres(cluster.databaseUrl, { max: 2, onnotice: () => undefined });
  });
  afterAll(async () => {
    await sql?.end();
    await cluster?.close();
  });
  beforeEach(({ onTestFailed }) => onTestFailed(() => console.log(cluster.dumpLogs())));

  const outboxRows = async (): Promise<number> =>
    (await sql<{ rows: number }[]>`select count(*)::int as rows from outbox`)[0]?.rows ?? NaN;

  it(
    'scenario 3: without Redis the leader steps down and no pod is touched; the gateway takes writes; Redis back, a leader converges the pods',
    { timeout: 120_000 },
    async () => {
      await createClients(cluster, 4, { VWAP: true });
      await waitForFleetInStep(cluster, sql, 20_000);
      const leader = await waitForLeader(cluster);

      const load = new WriteLoad(cluster.gateway, { writesPerSecond: 10, algorithms: ALGORITHMS });
      const stoppedAt = Date.now();
      await cluster.redis.kill();
      // Sampled during the outage: once the lease has run out, no replica may say it leads.
      const leadingAfterExpiry: string[] = [];
      const sampling = (async () => {
        while (Date.now() < stoppedAt + 3 * TTL_MS) {
          const sampledAt = Date.now();
          const leading = await leadingNow(cluster);
          // A lease renewed just before the outage lasts one TTL at most; a second TTL leaves the gauge
          // time to follow on a busy machine (the pod calls are checked from the first TTL on).
          if (sampledAt > stoppedAt + 2 * TTL_MS) leadingAfterExpiry.push(...leading.map((each) => each.replica.id));
          await sleep(200);
        }
      })();
      await Promise.all([load.run({ durationMs: 3 * TTL_MS }), sampling]);
      const restartedAt = Date.now();
      await cluster.redis.restart();

      const next = await waitForLeader(cluster, { after: leader.epoch, timeoutMs: 20_000 });
      const nextSince = await leaderSince(cluster, next.epoch);
      await waitForFleetInStep(cluster, sql, 30_000);
      const convergedAt = Date.now();

      const steppedDown = leader.replica.output.find({ component: 'leader', msg: 'no longer leader', epoch: leader.epoch });
      const calls = await cluster.kubeCalls();
      const withoutLease = callsBetween(calls, stoppedAt + TTL_MS, nextSince);
      const stale = staleEpochCalls(calls);
      const duplicates = duplicateOperations(calls);
      const lost = await load.lostWrites(sql);
      reportFigures('redis-outage', {
        ttlMs: TTL_MS,
        outageMs: restartedAt - stoppedAt,
        stepDownMs: steppedDown === undefined ? NaN : steppedDown.at.getTime() - stoppedAt,
        newLeaderAfterRedisBackMs: nextSince - restartedAt,
        convergedAfterRedisBackMs: convergedAt - restartedAt,
        writesDuringOutage: load.tally.sent,
        writesAcknowledged: load.tally.acknowledged,
        podCallsWithoutLease: withoutLease.length,
        staleLeaderCalls: stale.length,
        duplicateOperations: duplicates.length,
        lostWrites: lost.length,
      });

      expect(steppedDown).toBeDefined();
      expect(leadingAfterExpiry).toEqual([]);
      expect(withoutLease, describeCalls(withoutLease)).toEqual([]);
      expect(stale, describeCalls(stale)).toEqual([]);
      expect(duplicates, JSON.stringify(duplicates)).toEqual([]);
      expect(load.tally.sent).toBeGreaterThan(0);
      expect(load.tally.failures).toEqual([]);
      expect(lost).toEqual([]);
    },
  );

  it(
    `scenario 4: NATS stopped during ${WRITES} writes; each outbox event reaches JetStream once, and the operations broadcast resumes`,
    { timeout: 150_000 },
    async () => {
      // The stream already holds the events of the scenario before; this one's come after them.
      await cluster.waitFor(async () => (await outboxRows()) === 0, { what: 'the outbox to be empty', timeoutMs: 30_000 });
      const { last_seq: lastSeqBefore } = (await streamInfo(cluster.nats.url, 'PODSYNC_EVENTS')).state;
      const load = new WriteLoad(cluster.gateway, { writesPerSecond: 40, algorithms: ALGORITHMS, maxClients: 60 });
      const writing = load.run({ writes: WRITES });

      await cluster.waitFor(() => load.tally.sent >= STOP_AT_WRITE, { what: `${STOP_AT_WRITE} writes sent`, timeoutMs: 30_000 });
      const stoppedAt = Date.now();
      await cluster.nats.stop();
      await cluster.waitFor(async () => (await cluster.gateway.request('GET', '/api/ready')).status === 503, {
        what: 'the gateway to say it is not ready without NATS',
      });
      await cluster.waitFor(() => load.tally.sent >= START_AT_WRITE, {
        what: `${START_AT_WRITE} writes sent`,
        timeoutMs: 30_000,
      });
      await cluster.nats.start();
      const restartedAt = Date.now();
      await writing;

      await cluster.waitFor(async () => (await cluster.gateway.request('GET', '/api/ready')).status === 200, {
        what: 'the gateway to be ready again',
      });
      await cluster.waitFor(async () => (await outboxRows()) === 0, { what: 'the outbox to be empty', timeoutMs: 60_000 });
      const relayedAt = Date.now();
      await waitForFleetInStep(cluster, sql, 30_000);

      // The outbox's events; the stream also carries the notices of finished rounds.
      const outboxSubjects: string[] = Object.values(EVENT_SUBJECTS);
      const stored = (await readStream(cluster.nats.url, 'PODSYNC_EVENTS')).filter((event) =>
        outboxSubjects.includes(event.subject),
      );
      const events = stored.filter((event) => event.seq > lastSeqBefore);
      // Across the whole stream: an id stored twice is a duplicate whenever it was published.
      const distinct = new Set(stored.map((event) => event.msgId));
      const mislabelled = stored.filter((event) => event.msgId !== String((event.payload as EventPayload).id));
      const ops = await readStream(cluster.nats.url, 'PODSYNC_OPS');
      const opsAfterOutage = ops.filter(
        (message) => message.subject.startsWith('podsync.ops.') && Date.parse((message.payload as OpsPayload).at) > restartedAt,
      );
      const lost = await load.lostWrites(sql);
      reportFigures('nats-outage', {
        writes: load.tally.sent,
        writesAcknowledged: load.tally.acknowledged,
        outageMs: restartedAt - stoppedAt,
        outboxEmptyAfterNatsBackMs: relayedAt - restartedAt,
        eventsInStream: events.length,
        duplicateMessageIds: stored.length - distinct.size,
        opsMessagesAfterOutage: opsAfterOutage.length,
        lostWrites: lost.length,
      });

      expect(load.tally.failures).toEqual([]);
      expect(load.tally.acknowledged).toBe(WRITES);
      // One event per acknowledged write, none twice, each under its own outbox id.
      expect(events).toHaveLength(WRITES);
      expect(distinct.size).toBe(stored.length);
      expect(mislabelled).toEqual([]);
      expect(opsAfterOutage.length).toBeGreaterThan(0);
      expect(lost).toEqual([]);
    },
  );
});
