// `npm run bench:reconciler`: the sync engine against the real PostgreSQL on 127.0.0.1:5432, in a
// fresh database that is dropped at the end (also on failure and on Ctrl-C).
//   1. full rounds over 1k, 10k and 100k clients with all three algorithms on: nothing to change,
//      and everything to create (where that fits the bound), each in a child process for its peak RSS;
//   2. the same rows read plainly by psql (COPY to /dev/null), to compare round time with;
//   3. creation throughput against PODSYNC_OPS_PER_SECOND;
//   4. convergence of the one-process app: API write -> pod running, over 1,000 changes.
// BENCH_SIZES=1000,10000 narrows part 1; BENCH_PARTS=rounds,throughput,convergence picks parts;
// BENCH_PROFILE=1 adds CPU profiles of a no-change round over the most clients and a create round.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summariseProfile } from './cpu-profile-summary';
import { buildStandalone } from './reconciler-build';
import type { RoundCase } from './reconciler-case';
import { killChildren, runRoundCase } from './reconciler-child';
import { type ConvergenceResult, measureConvergence } from './reconciler-convergence';
import { createReconcilerBenchDatabase, type ReconcilerBenchDatabase } from './reconciler-database';
import { machineInfo, waitForQuietMachine } from './machine';
import {
  type CaseProfile,
  markdown,
  type PlainRead,
  type ReconcilerBenchReport,
  type RoundRow,
  type Target,
  type ThroughputRow,
} from './reconciler-report';

const ROOT = join(__dirname, '..');
const ALGORITHMS_PER_CLIENT = 3;
const SIZES = (process.env.BENCH_SIZES ?? '1000,10000,100000').split(',').map(Number);
const PARTS = new Set((process.env.BENCH_PARTS ?? 'rounds,throughput,convergence').split(','));
const PROFILE = process.env.BENCH_PROFILE === '1';

const BOUNDS = {
  /** A case that is predicted to take longer is skipped. */
  caseSeconds: 120,
  /** The lease is revoked (the round stops) this long after a case starts. */
  caseLimitSeconds: 180,
  /** Measured no-change rounds after the first. */
  noChangeRounds: 3,
  plainReadRuns: 3,
  /** Throughput cases: at most this many creates and about this many seconds each. */
  throughputCreates: 2_000,
  throughputSeconds: 10,
  convergenceChanges: 1_000,
  convergenceChangesPerSecond: 50,
  convergencePollMs: 5,
  convergenceLimitSeconds: 120,
  /** How long a case waits for the machine to be idle before it starts anyway. */
  quietWaitSeconds: 30,
};

/** Throughput: PODSYNC_OPS_PER_SECOND tried at 20 ms latency and concurrency 16 (ceiling 800/s). */
const THROUGHPUT_RATES = [100, 200, 500, 1_000];
const THROUGHPUT_LATENCY_MS = 20;
const THROUGHPUT_CONCURRENCY = 16;
/** Everything-to-create cases: no rate limit to speak of. */
const CREATE_SETTINGS = [
  { latencyMs: 0, concurrency: 16 },
  { latencyMs: 20, concurrency: 64 },
];
const UNLIMITED_OPS = 100_000;

let database: ReconcilerBenchDatabase | undefined;

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  database = await createReconcilerBenchDatabase();
  const db = database;
  const profileDir = PROFILE ? mkdtempSync(join(tmpdir(), 'reconciler-profile-')) : undefined;
  try {
    const plainReads: PlainRead[] = [];
    const rounds: RoundRow[] = [];
    const profiles: CaseProfile[] = [];
    /** Creates per second measured for each create setting at the last size, to predict the next. */
    const createRates = new Map<string, { perSecond: number; clients: number }>();

    for (const clients of PARTS.has('rounds') ? SIZES : []) {
      log(`seeding ${clients} clients`);
      await db.seed(clients, true);
      const pods = clients * ALGORITHMS_PER_CLIENT;
      const read = await plainRead(db, clients, pods);
      plainReads.push(read);
      log(`plain read of ${pods} rows: ${read.ms.toFixed(1)} ms`);

      const noChange = await roundCase(db, {
        kind: 'no-change',
        clients,
        latencyMs: 0,
        concurrency: 16,
        opsPerSecond: UNLIMITED_OPS,
      });
      noChange.timesPlainRead = noChange.roundMs === undefined ? undefined : noChange.roundMs / read.ms;
      rounds.push(noChange);
      log(`no-change round over ${clients} clients: ${noChange.roundMs?.toFixed(0)} ms, peak RSS ${noChange.peakRssMb} MB`);

      for (const settings of CREATE_SETTINGS) {
        const key = `${settings.latencyMs}/${settings.concurrency}`;
        const known = createRates.get(key);
        const predictedSeconds = known === undefined ? undefined : pods / known.perSecond;
        const row: RoundRow = {
          kind: 'create',
          clients,
          pods,
          ...settings,
          opsPerSecond: UNLIMITED_OPS,
          busyBeforePercent: 0,
          outcome: 'skipped',
          roundsMs: [],
        };
        if (predictedSeconds !== undefined && predictedSeconds > BOUNDS.caseSeconds) {
          row.note = `would take ~${Math.round(predictedSeconds)} s at the ${Math.round(known?.perSecond ?? 0)} creates/s measured with ${known?.clients} clients`;
          rounds.push(row);
          log(`create ${clients} clients at ${key}: skipped, ${row.note}`);
          continue;
        }
        await db.resetRuns();
        const created = await roundCase(db, { kind: 'create', clients, opsPerSecond: UNLIMITED_OPS, ...settings });
        if (created.createsPerSecond !== undefined) createRates.set(key, { perSecond: created.createsPerSecond, clients });
        rounds.push(created);
        log(
          `create ${clients} clients at ${key}: ${created.roundMs?.toFixed(0)} ms, ${created.createsPerSecond?.toFixed(0)} creates/s`,
        );
      }

      if (profileDir !== undefined && clients === Math.max(...SIZES)) {
        profiles.push(
          await profiledCase(db, profileDir, `no-change round, ${clients} clients`, {
            kind: 'no-change',
            clients,
            latencyMs: 0,
            concurrency: 16,
            opsPerSecond: UNLIMITED_OPS,
          }),
        );
      }
    }
    if (profileDir !== undefined && PARTS.has('rounds')) {
      const clients = Math.min(...SIZES);
      await db.seed(clients, true);
      profiles.push(
        await profiledCase(db, profileDir, `create round, ${clients} clients, 0 ms, concurrency 16`, {
          kind: 'create',
          clients,
          latencyMs: 0,
          concurrency: 16,
          opsPerSecond: UNLIMITED_OPS,
        }),
      );
    }

    const throughput: ThroughputRow[] = [];
    for (const rate of PARTS.has('throughput') ? THROUGHPUT_RATES : []) throughput.push(await throughputCase(db, rate));

    const convergence = PARTS.has('convergence') ? await convergenceCase(db) : { skipped: 'not asked for (BENCH_PARTS)' };

    const report: ReconcilerBenchReport = {
      startedAt,
      machine: machineInfo(db.serverVersion),
      bounds: BOUNDS,
      plainReads,
      rounds,
      throughput,
      convergence,
      targets: [],
      profiles,
    };
    report.targets = targets(report);
    const text = markdown(report);
    process.stdout.write(`\n${text}\n`);
    const resultsDir = join(ROOT, 'bench/results');
    mkdirSync(resultsDir, { recursive: true });
    const file = join(resultsDir, `reconciler-${startedAt.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    log(`results written to ${file}`);
  } finally {
    if (profileDir !== undefined) rmSync(profileDir, { recursive: true, force: true });
    await cleanUp();
  }
}

async function plainRead(db: ReconcilerBenchDatabase, clients: number, rows: number): Promise<PlainRead> {
  const runsMs: number[] = [];
  for (let run = 0; run < BOUNDS.plainReadRuns; run++) runsMs.push(await db.plainReadMs());
  return { clients, rows, ms: median(runsMs), runsMs };
}

type CaseShape = Pick<RoundCase, 'kind' | 'latencyMs' | 'concurrency' | 'opsPerSecond'> & { clients: number };

async function roundCase(db: ReconcilerBenchDatabase, shape: CaseShape): Promise<RoundRow> {
  const { clients, ...settings } = shape;
  const busyBeforePercent = await waitForQuietMachine(BOUNDS.quietWaitSeconds * 1_000);
  const noChange = shape.kind === 'no-change';
  const result = await runRoundCase(
    {
      ...settings,
      databaseUrl: db.url,
      rounds: noChange ? 1 + BOUNDS.noChangeRounds : 1,
      timeLimitMs: BOUNDS.caseLimitSeconds * 1_000,
    },
    { timeoutMs: (BOUNDS.caseLimitSeconds + 120) * 1_000 },
  );
  const measured = noChange ? result.rounds.slice(1) : result.rounds;
  const roundsMs = measured.map((round) => round.ms);
  const last = result.rounds.at(-1);
  const row: RoundRow = {
    ...shape,
    pods: clients * ALGORITHMS_PER_CLIENT,
    busyBeforePercent,
    outcome: result.timedOut ? 'stopped' : 'measured',
    firstRoundMs: noChange ? result.rounds[0]?.ms : undefined,
    roundsMs,
    roundMs: roundsMs.length > 0 ? median(roundsMs) : undefined,
    planned: last?.planned,
    done: noChange ? last?.done : result.creates.count,
    failed: last?.failed,
    peakRssMb: result.peakRssMb,
    rssBeforeMb: result.rssBeforeMb,
    phases: result.phases,
  };
  if (shape.kind === 'create') {
    const roundMs = row.roundMs ?? BOUNDS.caseLimitSeconds * 1_000;
    row.createsPerSecond = result.creates.count / (roundMs / 1_000);
    if (result.timedOut) row.note = `${result.creates.count} of ${row.pods} created in ${BOUNDS.caseLimitSeconds} s`;
  }
  return row;
}

async function profiledCase(
  db: ReconcilerBenchDatabase,
  profileDir: string,
  name: string,
  shape: CaseShape,
): Promise<CaseProfile> {
  log(`profiling: ${name}`);
  const profilePath = join(profileDir, `${readdirSync(profileDir).length}.cpuprofile`);
  await db.resetRuns();
  await runRoundCase(
    {
      kind: shape.kind,
      latencyMs: shape.latencyMs,
      concurrency: shape.concurrency,
      opsPerSecond: shape.opsPerSecond,
      databaseUrl: db.url,
      rounds: shape.kind === 'no-change' ? 2 : 1,
      timeLimitMs: BOUNDS.caseLimitSeconds * 1_000,
      profilePath,
    },
    { timeoutMs: (BOUNDS.caseLimitSeconds + 120) * 1_000 },
  );
  const summary = summariseProfile(profilePath, 20);
  const local = (text: string): string => text.replace(`file://${ROOT}/`, '').replace(`${ROOT}/`, '');
  return {
    case: name,
    busyMs: summary.busyMs,
    byArea: summary.byArea.map((share) => ({ ...share, name: local(share.name) })),
    topFunctions: summary.topFunctions.map((share) => ({ ...share, name: local(share.name) })),
  };
}

async function throughputCase(db: ReconcilerBenchDatabase, configuredPerSecond: number): Promise<ThroughputRow> {
  const creates = Math.min(BOUNDS.throughputCreates, configuredPerSecond * BOUNDS.throughputSeconds);
  const clients = Math.ceil(creates / ALGORITHMS_PER_CLIENT);
  await db.seed(clients, true);
  const busyBeforePercent = await waitForQuietMachine(BOUNDS.quietWaitSeconds * 1_000);
  const result = await runRoundCase(
    {
      kind: 'create',
      databaseUrl: db.url,
      rounds: 1,
      latencyMs: THROUGHPUT_LATENCY_MS,
      concurrency: THROUGHPUT_CONCURRENCY,
      opsPerSecond: configuredPerSecond,
      timeLimitMs: BOUNDS.caseLimitSeconds * 1_000,
    },
    { timeoutMs: (BOUNDS.caseLimitSeconds + 120) * 1_000 },
  );
  const ceilingPerSecond = (THROUGHPUT_CONCURRENCY * 1_000) / THROUGHPUT_LATENCY_MS;
  const { count, spanMs, sustainedPerSecond } = result.creates;
  log(`throughput at ${configuredPerSecond}/s configured: ${sustainedPerSecond?.toFixed(1)}/s sustained`);
  return {
    configuredPerSecond,
    busyBeforePercent,
    latencyMs: THROUGHPUT_LATENCY_MS,
    concurrency: THROUGHPUT_CONCURRENCY,
    ceilingPerSecond,
    creates: count,
    roundMs: result.rounds[0]?.ms ?? BOUNDS.caseLimitSeconds * 1_000,
    overallPerSecond: count / (spanMs / 1_000),
    sustainedPerSecond,
    met:
      configuredPerSecond >= ceilingPerSecond
        ? undefined
        : sustainedPerSecond !== undefined && Math.abs(sustainedPerSecond - configuredPerSecond) <= configuredPerSecond * 0.05,
  };
}

async function convergenceCase(db: ReconcilerBenchDatabase): Promise<ConvergenceResult> {
  const entry = buildStandalone(ROOT);
  await db.seed(BOUNDS.convergenceChanges, false);
  await waitForQuietMachine(BOUNDS.quietWaitSeconds * 1_000);
  log(`convergence: ${BOUNDS.convergenceChanges} changes at ${BOUNDS.convergenceChangesPerSecond}/s`);
  return measureConvergence({
    root: ROOT,
    entry,
    databaseUrl: db.url,
    clientIds: await db.clientIds(),
    changesPerSecond: BOUNDS.convergenceChangesPerSecond,
    pollMs: BOUNDS.convergencePollMs,
    timeLimitMs: BOUNDS.convergenceLimitSeconds * 1_000,
  });
}

function targets(report: ReconcilerBenchReport): Target[] {
  const found: Target[] = [];
  const largest = report.rounds.filter((row) => row.kind === 'no-change' && row.roundMs !== undefined).at(-1);
  if (largest?.roundMs !== undefined) {
    found.push({
      name: `no-change round, ${largest.clients} clients`,
      goal: '≤ 3 s',
      measured: `${(largest.roundMs / 1_000).toFixed(2)} s`,
      met: largest.roundMs <= 3_000,
    });
    found.push({
      name: `no-change round ÷ plain read, ${largest.clients} clients`,
      goal: '≤ 2×',
      measured: `${largest.timesPlainRead?.toFixed(1)}×`,
      met: (largest.timesPlainRead ?? Infinity) <= 2,
    });
  }
  const peaks = report.rounds.flatMap((row) => (row.peakRssMb === undefined ? [] : [row.peakRssMb]));
  if (peaks.length > 0) {
    const peak = Math.max(...peaks);
    found.push({ name: 'peak RSS of a round (any case above)', goal: '≤ 300 MB', measured: `${peak} MB`, met: peak <= 300 });
  }
  if (!('skipped' in report.convergence)) {
    const { p99 } = report.convergence.toPodRunningMs;
    const all = report.convergence.converged === report.convergence.changes && report.convergence.failedWrites === 0;
    found.push({
      name: 'convergence p99, API write → pod running',
      goal: '≤ 1 s',
      measured: `${p99.toFixed(0)} ms${all ? '' : ` (${report.convergence.converged} of ${report.convergence.changes} converged)`}`,
      met: all && p99 <= 1_000,
    });
  }
  for (const row of report.throughput) {
    if (row.met === undefined) continue;
    found.push({
      name: `creation throughput at ${row.configuredPerSecond} ops/s configured`,
      goal: `${row.configuredPerSecond}/s (± 5%)`,
      measured: `${row.sustainedPerSecond?.toFixed(1) ?? '?'}/s`,
      met: row.met,
    });
  }
  return found;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function log(line: string): void {
  process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

async function cleanUp(): Promise<void> {
  killChildren();
  const dropping = database;
  database = undefined;
  await dropping?.drop();
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: stopping the cases and dropping the database\n`);
    cleanUp().finally(() => process.exit(130));
  });
}

main().catch(async (error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  await cleanUp().catch(() => undefined);
  process.exitCode = 1;
});
