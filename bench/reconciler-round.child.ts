// One case of the reconciler benchmark in a process of its own, so that its peak RSS is the case's
// alone. Started by reconciler-child.ts with the case as JSON in argv[2]; answers with one
// RoundCaseResult over the IPC channel and exits. The engine runs as the reconciler runs it: the
// real SyncEngine, the simulated deployer, the embedded bus and pino writing every operation's log
// line (to /dev/null).
import { EmbeddedEventBus } from '@podsync/bus';
import { type Database, desiredPodBatches, openDatabase, replacePods } from '@podsync/db';
import { type Deployer, loadConfig, plan, type PodChange, type PodListing, type PodToRun } from '@podsync/domain';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { Registry } from 'prom-client';
import { SimulatedDeployer } from '../apps/reconciler/src/deployers/simulated.deployer';
import { EmbeddedLeaderElector } from '../apps/reconciler/src/leader/embedded-leader-elector';
import type { Lease } from '../apps/reconciler/src/leader/leader-elector';
import { desiredPods } from '../apps/reconciler/src/sync/desired-pods';
import { SyncEngine, syncEngineSettings } from '../apps/reconciler/src/sync/sync-engine';
import { SyncMetrics } from '../apps/reconciler/src/sync/sync-metrics';
import { createTimes, type PhaseTimes, type RoundCase, type RoundCaseResult, peakRssMb, rssMb } from './reconciler-case';

/** The simulated deployer, with the time each create call returned noted for the throughput cases. */
class TimedDeployer implements Deployer {
  readonly createdAtMs: number[] = [];

  constructor(private readonly pods: SimulatedDeployer) {}

  list(signal: AbortSignal): Promise<PodListing> {
    return this.pods.list(signal);
  }

  watch(from: string, signal: AbortSignal): AsyncIterable<PodChange> {
    return this.pods.watch(from, signal);
  }

  async create(pod: PodToRun, signal: AbortSignal): Promise<void> {
    await this.pods.create(pod, signal);
    this.createdAtMs.push(performance.now());
  }

  delete(name: string, signal: AbortSignal): Promise<void> {
    return this.pods.delete(name, signal);
  }
}

/** V8's sampling profiler over part of this process's life (--cpu-prof covers all of it, set-up included). */
class RoundProfiler {
  private readonly session = new Session();
  private running = false;

  async start(): Promise<void> {
    this.session.connect();
    await this.post('Profiler.enable');
    await this.post('Profiler.start');
    this.running = true;
  }

  async stop(path: string): Promise<void> {
    if (!this.running) return;
    this.running = false;
    const { profile } = (await this.post('Profiler.stop')) as { profile: unknown };
    writeFileSync(path, JSON.stringify(profile));
    this.session.disconnect();
  }

  private post(method: string): Promise<unknown> {
    return new Promise((resolve, reject) =>
      this.session.post(method, (error, result) => (error ? reject(error) : resolve(result))),
    );
  }
}

const ALGORITHMS = ['VWAP', 'TWAP', 'HFT'];

async function main(): Promise<void> {
  const roundCase = JSON.parse(process.argv[2] ?? '') as RoundCase;
  const config = loadConfig({
    DATABASE_URL: roundCase.databaseUrl,
    PODSYNC_ALGORITHMS: ALGORITHMS.join(','),
    PODSYNC_OPS_PER_SECOND: String(roundCase.opsPerSecond),
    PODSYNC_SYNC_CONCURRENCY: String(roundCase.concurrency),
    PODSIM_LATENCY_MS: String(roundCase.latencyMs),
    PODSYNC_REPLICA_ID: 'bench-reconciler',
  });
  const database = openDatabase(config.database);
  const elector = new EmbeddedLeaderElector(database.db, { replicaId: config.replicaId });
  const logger = pino(
    { level: 'info', formatters: { level: (label) => ({ level: label }) }, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ dest: '/dev/null', sync: true }),
  );
  try {
    await elector.start();
    const lease = elector.current();
    if (lease === undefined) throw new Error('the embedded elector did not lead');
    const deployer = new TimedDeployer(new SimulatedDeployer({ latencyMs: config.deployer.simulatedLatencyMs }));
    const engine = new SyncEngine(
      database.db,
      deployer,
      new EmbeddedEventBus({ logger }),
      logger.child({ component: 'sync/reconciler' }),
      new SyncMetrics(new Registry()),
      syncEngineSettings(config),
    );
    if (roundCase.kind === 'no-change') await runAll(database, deployer, lease, config.algorithms.names);
    const rssBeforeMb = rssMb();
    const peakRssBeforeMb = peakRssMb();

    const rounds: RoundCaseResult['rounds'] = [];
    const profiler = new RoundProfiler();
    const limit = setTimeout(() => void elector.stop(), roundCase.timeLimitMs);
    try {
      for (let index = 0; index < roundCase.rounds; index++) {
        if (index === (roundCase.kind === 'no-change' ? 1 : 0) && roundCase.profilePath !== undefined) await profiler.start();
        const startedMs = performance.now();
        const summary = await engine.runRound(lease, 'manual', 'full');
        const ms = performance.now() - startedMs;
        rounds.push({ ms, planned: summary.planned, done: summary.done, failed: summary.failed, peakRssMb: peakRssMb() });
      }
    } catch (error) {
      if (lease.isValid()) throw error;
      // The time limit revoked the lease: the round stopped where it was.
    } finally {
      clearTimeout(limit);
      if (roundCase.profilePath !== undefined) await profiler.stop(roundCase.profilePath);
    }
    const result: RoundCaseResult = {
      rounds,
      timedOut: !lease.isValid(),
      // The bucket starts full with one second's worth of tokens (TokenBucket's default capacity).
      creates: createTimes(deployer.createdAtMs, Math.max(1, Math.floor(roundCase.opsPerSecond))),
      rssBeforeMb,
      peakRssBeforeMb,
      peakRssMb: peakRssMb(),
      phases:
        roundCase.kind === 'no-change' && lease.isValid()
          ? await phaseTimes(database, deployer, lease, config.algorithms.names)
          : undefined,
    };
    await new Promise<void>((resolve, reject) =>
      process.send?.(result, (error: Error | null) => (error ? reject(error) : resolve())),
    );
  } finally {
    await elector.stop();
    await database.close();
  }
}

/** Makes the deployer run every desired pod with its current spec, through its public create. */
async function runAll(database: Database, deployer: Deployer, lease: Lease, algorithms: readonly string[]): Promise<void> {
  for await (const batch of desiredPodBatches(database.db, { algorithms, batchSize: 1_000 })) {
    for (const pod of desiredPods(batch)) await deployer.create({ ...pod, epoch: lease.epoch }, lease.signal);
  }
}

/** The steps of a no-change round timed one by one, with the same functions the engine calls. */
async function phaseTimes(
  database: Database,
  deployer: Deployer,
  lease: Lease,
  algorithms: readonly string[],
): Promise<PhaseTimes> {
  const timed = async <T>(step: () => Promise<T>): Promise<[T, number]> => {
    const startedMs = performance.now();
    const value = await step();
    return [value, performance.now() - startedMs];
  };
  const [rows, readDesiredMs] = await timed(async () => {
    const all = [];
    for await (const batch of desiredPodBatches(database.db, { algorithms, batchSize: 1_000 })) all.push(...batch);
    return all;
  });
  const [desired, buildDesiredMs] = await timed(async () => desiredPods(rows));
  const [listing, listMs] = await timed(async () => (await deployer.list(lease.signal)).pods);
  const [, replacePodsMs] = await timed(() => replacePods(database.db, lease.epoch, listing));
  const [, planMs] = await timed(async () => plan(desired, listing));
  return { readDesiredMs, buildDesiredMs, listMs, replacePodsMs, planMs };
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
