import { BusPrefix, EmbeddedEventBus, EVENTS_STREAM, NatsEventBus } from '@podsync/bus';
import {
  advanceLeaderEpoch,
  allPods,
  type Database,
  insertClient,
  type ObservedPod,
  openDatabase,
  operations,
  setAlgorithmFlags,
  syncRounds,
} from '@podsync/db';
import { POD_STATUS_SUBJECT, podStatusMessageSchema, type PodToRun } from '@podsync/domain';
import { asc, eq, sql } from 'drizzle-orm';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deletePrefixStreams, readStream, testPrefix } from '../../../../test/support/jetstream-streams';
import { TEST_SERVERS } from '../../../../test/support/servers';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database';
import { ObservingLeader, type ObservingLeaderOptions } from '../../../../test/support/observing-leader';
import { waitUntil } from '../../../../test/support/wait-until';
import { SimulatedDeployer } from '../deployers/simulated.deployer';
import { PodObserver } from './pod-observer';

const silent = pino({ level: 'silent' });
const SPEC = { version: 1, image: 'registry.example.com/algo:1', cpu: '500m', mem: '256Mi' };

function podToRun(algorithm: string, clientId: number, epoch: number): PodToRun {
  return { name: `${algorithm.toLowerCase()}-${clientId}`, clientId, algorithm, ...SPEC, specHash: 'hash-1', epoch };
}

/** A metric's value for the given labels, 0 when it has none. */
async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = await registry.getSingleMetric(name)?.get();
  const value = metric?.values.find((candidate) =>
    Object.entries(labels).every(([key, expected]) => String(candidate.labels[key]) === expected),
  );
  return value?.value ?? 0;
}

describe(PodObserver.name, () => {
  let testDatabase: TestDatabase;
  let database: Database;
  let bus: EmbeddedEventBus;
  let deployer: SimulatedDeployer;
  let statusMessages: unknown[];
  let leader: ObservingLeader | undefined;

  beforeAll(async () => {
    testDatabase = await createTestDatabase();
    database = openDatabase({ url: testDatabase.url, dataDir: '' });
    await database.migrate();
  });

  beforeEach(async () => {
    await database.db.execute(
      sql`truncate clients, client_algorithms, pods, operations, sync_rounds, cluster_settings restart identity cascade`,
    );
    bus = new EmbeddedEventBus({ logger: silent });
    statusMessages = [];
    bus.subscribe(POD_STATUS_SUBJECT, (payload) => void statusMessages.push(payload));
    deployer = new SimulatedDeployer();
  });

  afterEach(async () => {
    await leader?.stop();
    leader = undefined;
    await bus.close();
  });

  afterAll(async () => {
    await database.close();
    await testDatabase.drop();
  });

  function lead(options: ObservingLeaderOptions = {}): ObservingLeader {
    leader = new ObservingLeader(database, deployer, bus, options);
    return leader;
  }

  async function storedPod(name: string): Promise<ObservedPod | undefined> {
    return (await allPods(database.db)).find((pod) => pod.name === name);
  }

  async function client(algorithms: Record<string, boolean>): Promise<number> {
    const row = await insertClient(database.db, { name: 'acme', ...SPEC });
    await setAlgorithmFlags(database.db, row.id, algorithms);
    return row.id;
  }

  async function operationsOf(pod: string) {
    return database.db.select().from(operations).where(eq(operations.pod, pod)).orderBy(asc(operations.id));
  }

  describe('observing', () => {
    it('lists, then writes every change it watches to the pods table with health and since, and announces each change of status', async () => {
      const lease = await lead({ rounds: false }).start();
      await deployer.create(podToRun('VWAP', 1, lease.epoch), lease.signal);
      await waitUntil(async () => (await storedPod('vwap-1'))?.health.phase === 'Running', 'vwap-1 stored as Running');
      await database.db.execute(sql`update pods set since = since - interval '1 hour'`);
      const runningSince = (await storedPod('vwap-1'))?.since;

      deployer.setHealth('vwap-1', { restarts: 2, node: 'node-2' });
      deployer.failPod('vwap-1', 'Evicted', 'The node was low on resource: memory.');
      await waitUntil(async () => (await storedPod('vwap-1'))?.health.phase === 'Failed', 'vwap-1 stored as Failed');

      const failed = await storedPod('vwap-1');
      expect(failed).toMatchObject({
        clientId: 1,
        algorithm: 'VWAP',
        epoch: lease.epoch,
        health: {
          phase: 'Failed',
          ready: false,
          restarts: 2,
          reason: 'Evicted',
          message: 'The node was low on resource: memory.',
          node: 'node-2',
        },
      });
      expect(failed?.since.getTime()).toBeGreaterThan(runningSince?.getTime() ?? Number.POSITIVE_INFINITY);
      await waitUntil(() => statusMessages.length === 2, 'two pod status messages');
      const messages = statusMessages.map((message) => podStatusMessageSchema.parse(message));
      expect(messages).toEqual([
        expect.objectContaining({ pod: 'vwap-1', target: 'default', clientId: 1, algorithm: 'VWAP', from: null }),
        expect.objectContaining({
          pod: 'vwap-1',
          from: { phase: 'Running', ready: true },
          to: { phase: 'Failed', ready: false },
          reason: 'Evicted',
          epoch: lease.epoch,
        }),
      ]);
      expect(new Set(messages.map((message) => message.eventId)).size).toBe(2);
      expect(leader?.healingRequests).toEqual([[1]]);
    });

    it('makes the table the listing it starts from, so pods changed while no one watched are seen', async () => {
      const lease = await lead({ rounds: false }).start();
      await deployer.create(podToRun('VWAP', 1, lease.epoch), lease.signal);
      await waitUntil(async () => (await storedPod('vwap-1')) !== undefined, 'vwap-1 stored');
      await leader?.stop();

      deployer.vanish('vwap-1');
      await deployer.create(podToRun('TWAP', 2, lease.epoch), new AbortController().signal);
      deployer.setHealth('twap-2', { ready: false, reason: 'CrashLoopBackOff', restarts: 7 });
      lead({ rounds: false });
      await leader?.start();

      await waitUntil(
        async () => (await allPods(database.db)).map((pod) => pod.name).join() === 'twap-2',
        'the new listing stored',
      );
      expect((await storedPod('twap-2'))?.health).toMatchObject({ phase: 'Running', ready: false, reason: 'CrashLoopBackOff' });
      expect(leader?.healingRequests).toEqual([[1]]);
    });

    it('lists again when the version it would watch from has expired', async () => {
      const observing = lead({ rounds: false });
      const lease = await observing.start();
      await deployer.create(podToRun('VWAP', 1, lease.epoch), lease.signal);
      await waitUntil(async () => (await storedPod('vwap-1')) !== undefined, 'vwap-1 stored');

      // The API server ends the watch and compacts its history: the watch comes back from an expired version.
      deployer.closeWatches();
      await waitUntil(
        async () => (await metricValue(observing.registry, 'podsync_pod_watch_restarts_total', { cause: 'expired' })) === 1,
        'the watch restarted after the expiry',
      );
      deployer.failPod('vwap-1');

      await waitUntil(async () => (await storedPod('vwap-1'))?.health.phase === 'Failed', 'the change after the relist stored');
      expect(await metricValue(observing.registry, 'podsync_pod_watch_restarts_total', { cause: 'closed' })).toBe(1);
      expect(await metricValue(observing.registry, 'podsync_pod_watch_events_total', { type: 'modified' })).toBe(1);
    });

    it('watches again when no event comes for the stall timeout, and lists again each relist interval', async () => {
      const observing = lead({ rounds: false, observer: { stallTimeoutMs: 30, relistIntervalMs: 200 } });
      await observing.start();

      await waitUntil(
        async () =>
          (await metricValue(observing.registry, 'podsync_pod_watch_restarts_total', { cause: 'stalled' })) >= 1 &&
          (await metricValue(observing.registry, 'podsync_pod_watch_restarts_total', { cause: 'periodic' })) >= 1,
        'a stalled and a periodic restart of the watch',
      );
    });

    it('writes only under a current epoch: a newer leader fences it off and it steps down', async () => {
      const observing = lead({ rounds: false });
      const lease = await observing.start();
      await deployer.create(podToRun('VWAP', 1, lease.epoch), lease.signal);
      await waitUntil(async () => (await storedPod('vwap-1')) !== undefined, 'vwap-1 stored');

      await advanceLeaderEpoch(database.db, 'replica-b');
      deployer.failPod('vwap-1');
      await observing.stopped();

      expect(lease.isValid()).toBe(false);
      expect((await storedPod('vwap-1'))?.health.phase).toBe('Running');
    });
  });

  describe('healing', () => {
    async function runningAndReady(name: string): Promise<boolean> {
      const pod = deployer.snapshot().find((candidate) => candidate.name === name);
      return pod?.health.phase === 'Running' && pod.health.ready;
    }

    it('creates a vanished pod again and replaces a failed one with the reason pod-failed, in a round of that client', async () => {
      const acme = await client({ VWAP: true, TWAP: true });
      const beta = await client({ HFT: true });
      await lead().start();
      await waitUntil(async () => (await allPods(database.db)).length === 3, 'the startup round');

      deployer.vanish(`vwap-${acme}`);
      deployer.failPod(`hft-${beta}`, 'Evicted');

      await waitUntil(
        async () => (await runningAndReady(`vwap-${acme}`)) && (await runningAndReady(`hft-${beta}`)),
        'both pods running again',
      );
      await waitUntil(async () => (await storedPod(`hft-${beta}`))?.health.phase === 'Running', 'the table showing it');
      // The operations are recorded once the deployer calls return, a moment after the pods run.
      await waitUntil(
        async () =>
          (await metricValue(leader?.registry ?? new Registry(), 'podsync_pod_replacements_total', { reason: 'pod-failed' })) ===
            1 && (await operationsOf(`vwap-${acme}`)).length === 2,
        'the operations recorded',
      );
      expect((await operationsOf(`hft-${beta}`)).map(({ kind, reason, result }) => ({ kind, reason, result }))).toEqual([
        { kind: 'create', reason: null, result: 'ok' },
        { kind: 'restart', reason: 'pod-failed', result: 'ok' },
      ]);
      expect((await operationsOf(`vwap-${acme}`)).map(({ kind, reason }) => ({ kind, reason }))).toEqual([
        { kind: 'create', reason: null },
        { kind: 'create', reason: null },
      ]);
      const healing = await database.db.select().from(syncRounds).where(eq(syncRounds.trigger, 'event'));
      expect(healing.flatMap((round) => round.scope ?? []).sort()).toEqual(expect.arrayContaining([acme, beta].sort()));
      expect(
        await metricValue(leader?.registry ?? new Registry(), 'podsync_pod_replacements_total', { reason: 'pod-failed' }),
      ).toBe(1);
    });

    it('backs off a pod that fails on every start instead of replacing it in a storm', async () => {
      const acme = await client({ VWAP: true });
      const pod = `vwap-${acme}`;
      deployer.failOnEveryStart(pod, 'Error');
      await lead({ backoff: { backoff: { initialMs: 50, maxMs: 400 }, healthyAfterMs: 60_000 } }).start();
      await waitUntil(async () => (await operationsOf(pod)).length >= 3, 'the pod replaced a few times');

      // Each replacement fails at once; without the backoff a round would replace it every few milliseconds.
      const windowMs = 2_000;
      await new Promise((resolve) => setTimeout(resolve, windowMs));
      const replacements = (await operationsOf(pod)).filter((operation) => operation.kind === 'restart');

      // From 50 ms doubling to 400 ms, 2 s after the first few holds about 7 more starts.
      expect(replacements.length).toBeLessThanOrEqual(14);
      expect(replacements.every((operation) => operation.reason === 'pod-failed')).toBe(true);
    });

    it('leaves a crash-looping or image-pull-failing pod to the kubelet', async () => {
      const acme = await client({ VWAP: true, TWAP: true });
      await lead().start();
      await waitUntil(async () => (await allPods(database.db)).length === 2, 'the startup round');

      deployer.setHealth(`vwap-${acme}`, { ready: false, reason: 'CrashLoopBackOff', restarts: 6 });
      deployer.setHealth(`twap-${acme}`, { phase: 'Pending', ready: false, reason: 'ImagePullBackOff' });
      await waitUntil(
        async () => (await storedPod(`twap-${acme}`))?.health.reason === 'ImagePullBackOff',
        'the table showing the unhealthy pods',
      );
      // A scoped round that plans nothing keeps no row: the scheduler's last round tells it ran.
      leader?.scheduler.requestClients([acme]);
      await waitUntil(() => leader?.scheduler.lastRound()?.trigger === 'event', 'a round of the client');

      expect(leader?.scheduler.lastRound()).toMatchObject({ trigger: 'event', planned: 0 });
      const replaced = await database.db.select().from(operations).where(eq(operations.kind, 'restart'));
      expect(replaced).toEqual([]);
      expect((await storedPod(`vwap-${acme}`))?.health).toMatchObject({ phase: 'Running', ready: false, restarts: 6 });
    });
  });

  describe('on NATS', () => {
    let prefix: string;
    let streams: BusPrefix;
    let nats: NatsEventBus;

    beforeEach(async () => {
      prefix = testPrefix();
      streams = new BusPrefix(prefix);
      nats = await NatsEventBus.connect({ servers: TEST_SERVERS.nats.url, logger: silent, prefix });
    });

    afterEach(async () => {
      await leader?.stop();
      leader = undefined;
      await nats.close();
      await deletePrefixStreams(TEST_SERVERS.nats.url, prefix);
    });

    it('publishes each change of status to the events stream, its eventId the message id', async () => {
      leader = new ObservingLeader(database, deployer, nats, { rounds: false });
      const lease = await leader.start();
      await deployer.create(podToRun('VWAP', 1, lease.epoch), lease.signal);
      await waitUntil(async () => (await storedPod('vwap-1'))?.health.phase === 'Running', 'vwap-1 stored as Running');
      deployer.failPod('vwap-1', 'OOMKilled');
      await waitUntil(async () => (await storedPod('vwap-1'))?.health.phase === 'Failed', 'vwap-1 stored as Failed');

      const stored = await readStream(TEST_SERVERS.nats.url, streams.stream(EVENTS_STREAM).name);
      const statuses = stored.filter((message) => message.subject === streams.subject(POD_STATUS_SUBJECT));
      const payloads = statuses.map((message) => podStatusMessageSchema.parse(message.payload));
      expect(payloads.map(({ from, to, reason }) => ({ from, to, reason }))).toEqual([
        { from: null, to: { phase: 'Running', ready: true }, reason: undefined },
        { from: { phase: 'Running', ready: true }, to: { phase: 'Failed', ready: false }, reason: 'OOMKilled' },
      ]);
      expect(statuses.map((message) => message.msgId)).toEqual(payloads.map((payload) => payload.eventId));
    });
  });
});
