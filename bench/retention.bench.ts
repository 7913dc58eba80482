/**
 * `npm run bench:retention`: what purging a backlog of old history costs the API. The gateway
 * serves its mixed load (the gateway benchmark's fixed-rate mix) against a database holding
 * millions of operations older than the retention; the mixed p99 is measured before the purge,
 * in consecutive windows while the leader's purge (the real HistoryPurge, in a child process)
 * deletes them, and after it. Everything runs on this machine over loopback; see BENCHMARKS.md.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';
import { backgroundLoad } from './cpu-usage';
import { createGatewayBenchDatabase } from './gateway-database';
import { ensureGatewayBuild, gatewayEntry } from './gateway-build';
import { startGateway } from './gateway-process';
import type { IdRange } from './gateway-requests';
import { commitOf } from './gateway-report';
import { measureFixedRate } from './fixed-rate-load';
import type { LoadResult } from './load-result';
import { machineInfo, type MachineInfo } from './machine';
import type { PurgeRun, PurgeSettings } from './retention-purge.child';
import { wholeNumberSetting } from './bench-setting';
import { Cleanups } from './cleanups';

const ROOT = resolve(__dirname, '..');
const RESULTS_DIR = join(__dirname, 'results');
const TOKEN = 'bench-token';
const DAY_MS = 86_400_000;
/** PODSYNC_HISTORY_RETENTION's default. */
const RETENTION_MS = 30 * DAY_MS;
const BACKGROUND_SAMPLE_MS = 3_000;
const BUSY_MACHINE_PERCENT = 20;
const WARM_UP_SECONDS = 5;
/** Rows per insert while seeding: large enough to be quick, small enough to show progress. */
const SEED_CHUNK = 1_000_000;
/** The goal of the issue: the mixed p99 during the purge within 10% of the one without it. */
const P99_ALLOWANCE = 1.1;

const settings = {
  adminUrl: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  rows: wholeNumberSetting('BENCH_RETENTION_ROWS', 5_000_000, 1_000, 50_000_000),
  connections: wholeNumberSetting('BENCH_CONNECTIONS', 32, 1, 1_000),
  mixedRate: wholeNumberSetting('BENCH_MIXED_RATE', 500, 1, 20_000),
  windowSeconds: wholeNumberSetting('BENCH_MIXED_DURATION', 15, 5, 120),
  /** Windows before the purge: on a shared machine one window alone is a poor baseline. */
  baselineWindows: wholeNumberSetting('BENCH_BASELINE_WINDOWS', 3, 1, 20),
  seedClients: wholeNumberSetting('BENCH_SEED_CLIENTS', 10_000, 1, 1_000_000),
  batchSize: wholeNumberSetting('BENCH_PURGE_BATCH', 1_000, 1, 100_000),
  /** Percent of the time the purge works; undefined: the purge's own default. */
  dutyPercent:
    process.env.BENCH_PURGE_DUTY_PERCENT === undefined ? undefined : wholeNumberSetting('BENCH_PURGE_DUTY_PERCENT', 20, 1, 100),
  /** The purge stops by then (counting what it deleted): the benchmark stays bounded in time. */
  maxPurgeSeconds: wholeNumberSetting('BENCH_MAX_PURGE_SECONDS', 600, 10, 3_600),
};

const cleanups = new Cleanups();
cleanups.runOnSignals('stopping the purge and the gateway, dropping the database');

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Inserts `rows` operations finished 40 to 31 days ago (older than the retention), in id order of time. */
async function seedOperations(databaseUrl: string, rows: number, ids: IdRange): Promise<void> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => undefined });
  try {
    const clients = ids.lastId - ids.firstId + 1;
    const oldestMs = Date.now() - 40 * DAY_MS;
    // Spread evenly over nine days, so every row is older than the 30-day retention.
    const stepMs = (9 * DAY_MS) / rows;
    for (let first = 0; first < rows; first += SEED_CHUNK) {
      const last = Math.min(first + SEED_CHUNK, rows) - 1;
      await sql`
        insert into operations (epoch, round, replica_id, kind, pod, client_id, algorithm, result, started_at, finished_at)
        select 1, n / 100, 'bench-leader', 'create', 'vwap-' || (${ids.firstId} + n % ${clients}), ${ids.firstId} + n % ${clients},
               'VWAP', 'ok', to_timestamp((${oldestMs}::float8 + n * ${stepMs}::float8) / 1000.0) - interval '20 ms',
               to_timestamp((${oldestMs}::float8 + n * ${stepMs}::float8) / 1000.0)
        from generate_series(${first}::bigint, ${last}::bigint) as n`;
      log(`  ${last + 1} of ${rows} operations`);
    }
    // As a table that has lived that long would be: vacuumed and analysed, its pages on disk, so
    // that the checkpoint of the seeding does not fall into the baseline windows.
    await sql`vacuum analyze operations`;
    await sql`checkpoint`;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** The purge in its own process; resolves with what it deleted, or rejects when it fails or runs past `timeoutMs`. */
function startPurge(purgeSettings: PurgeSettings, timeoutMs: number): { done: Promise<PurgeRun>; child: ChildProcess } {
  const child = fork(join(__dirname, 'retention-purge.child.ts'), [JSON.stringify(purgeSettings)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  const done = new Promise<PurgeRun>((resolvePurge, reject) => {
    let answer: PurgeRun | undefined;
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
    child.on('message', (message) => (answer = message as PurgeRun));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0 && answer !== undefined) resolvePurge(answer);
      else reject(new Error(`the purge ended with ${code ?? signal}: ${stderr.trim() || `no answer within ${timeoutMs} ms`}`));
    });
  });
  return { done, child };
}

interface Window {
  phase: 'before' | 'purge' | 'after';
  load: LoadResult;
  /** For a window of the purge phase: whether the purge still ran when it ended. */
  purgeRunning?: boolean;
}

interface RetentionBenchReport {
  startedAt: string;
  commit: string;
  machine: MachineInfo;
  backgroundLoadPercent: number;
  settings: Record<string, number | string>;
  seedSeconds: number;
  purge: PurgeRun | undefined;
  windows: Window[];
  /** The median p99 of the windows before the purge. */
  baselineP99: number;
  /** The median p99 of the windows that ran wholly during the purge, over the baseline. */
  medianPurgeRatio: number | undefined;
  /** The highest p99 of those windows, over the baseline. */
  worstPurgeRatio: number | undefined;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

const ms = (value: number): string => value.toFixed(value < 10 ? 2 : 1);

function markdown(report: RetentionBenchReport): string {
  const { machine: m } = report;
  const lines = [
    `Commit ${report.commit}. Machine: ${m.cores} × ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, PostgreSQL ${m.postgres}; busy before the run: ${report.backgroundLoadPercent}% of one core`,
    '',
    `Purge: ${report.purge === undefined ? 'failed' : `${report.purge.operations} of ${report.settings.rows} operations in ${report.purge.seconds} s (${Math.round(report.purge.operations / Math.max(0.1, report.purge.seconds))} rows/s)${report.purge.complete ? '' : ', stopped at the time limit'}`}, batches of ${report.settings.batchSize}, duty cycle ${report.settings.dutyPercent}%; seeding took ${report.seedSeconds} s.`,
    '',
    '| window | mixed load | 2xx/s | p50 ms | p99 ms | max ms | p99 ÷ baseline | non-2xx | errors |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const window of report.windows) {
    const name =
      window.phase === 'purge'
        ? `during the purge${window.purgeRunning === true ? '' : ' (it ended within)'}`
        : `${window.phase} the purge`;
    lines.push(
      `| ${name} | ${window.load.load} for ${Math.round(window.load.durationSeconds)} s | ${window.load.requestsPerSecond} | ${ms(window.load.latency.p50)} | ${ms(window.load.latency.p99)} | ${ms(window.load.latency.max)} | ${(window.load.latency.p99 / report.baselineP99).toFixed(2)} | ${window.load.non2xx} | ${window.load.errors} |`,
    );
  }
  const ratio = report.medianPurgeRatio;
  const worst = report.worstPurgeRatio;
  lines.push(
    '',
    `| target | goal | measured | met |`,
    '|---|---|---|---|',
    `| mixed p99 during the purge ÷ before (medians of the windows) | ≤ ${P99_ALLOWANCE} | ${ratio === undefined ? 'no whole window' : ratio.toFixed(2)} | ${ratio !== undefined && ratio <= P99_ALLOWANCE ? 'yes' : 'NO'} |`,
    `| the same, worst window during the purge | ≤ ${P99_ALLOWANCE} | ${worst === undefined ? 'no whole window' : worst.toFixed(2)} | ${worst !== undefined && worst <= P99_ALLOWANCE ? 'yes' : 'NO'} |`,
  );
  return lines.join('\n');
}

async function main(): Promise<number> {
  const startedAt = new Date();
  ensureGatewayBuild(ROOT);
  const background = await backgroundLoad(BACKGROUND_SAMPLE_MS);
  log(
    `machine busy before the run: ${background}% of one core${background > BUSY_MACHINE_PERCENT ? ' -- other work is running; expect noisier numbers' : ''}`,
  );
  const database = await createGatewayBenchDatabase(settings.adminUrl);
  cleanups.push(() => database.drop());
  log(`database ${database.name} (PostgreSQL ${database.serverVersion})`);
  const gateway = await startGateway({
    entry: gatewayEntry(ROOT),
    databaseUrl: database.url,
    token: TOKEN,
    profileDir: undefined,
    logLevel: 'warn',
  });
  cleanups.push(() => gateway.stop());
  log(`gateway pid ${gateway.pid} at ${gateway.baseUrl}`);

  const ids = await database.seedClients(settings.seedClients);
  log(`seeded clients ${ids.firstId}..${ids.lastId}; seeding ${settings.rows} operations older than the retention`);
  const seedStarted = performance.now();
  await seedOperations(database.url, settings.rows, ids);
  const seedSeconds = Math.round((performance.now() - seedStarted) / 100) / 10;

  const mixed = (durationSeconds: number): Promise<LoadResult> =>
    measureFixedRate({
      baseUrl: gateway.baseUrl,
      token: TOKEN,
      ids,
      requestsPerSecond: settings.mixedRate,
      durationSeconds,
      mix: ['create', 'status', 'read', 'read', 'read'],
      maxConnections: settings.connections,
    });
  const windows: Window[] = [];
  const measure = async (phase: Window['phase'], running?: () => boolean): Promise<void> => {
    gateway.assertRunning();
    const load = await mixed(settings.windowSeconds);
    const window: Window = { phase, load, ...(running === undefined ? {} : { purgeRunning: running() }) };
    windows.push(window);
    log(
      `  ${phase}: ${load.requestsPerSecond} 2xx/s, p50 ${ms(load.latency.p50)} ms, p99 ${ms(load.latency.p99)} ms, non-2xx ${load.non2xx}, errors ${load.errors}${window.purgeRunning === false ? ' (the purge ended within)' : ''}`,
    );
  };

  log(`warming up (${WARM_UP_SECONDS} s, not counted)`);
  await mixed(WARM_UP_SECONDS);
  log(`mixed load: ${settings.mixedRate} req/s, 20% create, 20% status, 60% read, windows of ${settings.windowSeconds} s`);
  for (let window = 0; window < settings.baselineWindows; window += 1) await measure('before');

  const purge = startPurge(
    {
      databaseUrl: database.url,
      retentionMs: RETENTION_MS,
      batchSize: settings.batchSize,
      dutyCycle: settings.dutyPercent === undefined ? undefined : settings.dutyPercent / 100,
      maxSeconds: settings.maxPurgeSeconds,
    },
    // The child stops itself at maxSeconds; this only catches one that hangs.
    (settings.maxPurgeSeconds + 60) * 1_000,
  );
  cleanups.push(async () => void purge.child.kill('SIGKILL'));
  let purgeRun: PurgeRun | undefined;
  let purgeError: unknown;
  let purgeRunning = true;
  void purge.done.then(
    (run) => {
      purgeRun = run;
      purgeRunning = false;
    },
    (error: unknown) => {
      purgeError = error;
      purgeRunning = false;
    },
  );
  log(`purging (batches of ${settings.batchSize}), measuring windows until it ends`);
  while (purgeRunning) await measure('purge', () => purgeRunning);
  if (purgeError !== undefined) log(`the purge failed: ${String(purgeError)}`);
  else
    log(
      `  purged ${purgeRun?.operations} operations in ${purgeRun?.seconds} s${purgeRun?.complete === false ? ', stopped at BENCH_MAX_PURGE_SECONDS' : ''}`,
    );
  await sleep(1_000);
  for (let window = 0; window < settings.baselineWindows; window += 1) await measure('after');
  await cleanups.run();

  const p99s = (phase: Window['phase'], whole = false): number[] =>
    windows
      .filter((window) => window.phase === phase && (!whole || window.purgeRunning === true))
      .map((window) => window.load.latency.p99);
  const baselineP99 = median(p99s('before'));
  const purgeP99s = p99s('purge', true);
  const report: RetentionBenchReport = {
    startedAt: startedAt.toISOString(),
    commit: commitOf(ROOT),
    machine: machineInfo(database.serverVersion),
    backgroundLoadPercent: background,
    settings: {
      rows: settings.rows,
      mixedRate: settings.mixedRate,
      windowSeconds: settings.windowSeconds,
      baselineWindows: settings.baselineWindows,
      connections: settings.connections,
      seedClients: settings.seedClients,
      batchSize: settings.batchSize,
      dutyPercent: settings.dutyPercent ?? 'default (20)',
      retention: '30d',
    },
    seedSeconds,
    purge: purgeRun,
    windows,
    baselineP99,
    medianPurgeRatio: purgeP99s.length === 0 ? undefined : median(purgeP99s) / baselineP99,
    worstPurgeRatio: purgeP99s.length === 0 ? undefined : Math.max(...purgeP99s) / baselineP99,
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const resultPath = join(RESULTS_DIR, `retention-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(resultPath, `${JSON.stringify(report, null, 2)}\n`);
  log('');
  log(markdown(report));
  log(`\nwritten to ${resultPath}`);
  const failures = windows.reduce((sum, window) => sum + window.load.non2xx + window.load.errors, 0);
  if (failures > 0) log(`\n${failures} requests failed: the numbers above are not valid`);
  return failures > 0 || purgeError !== undefined ? 1 : 0;
}

main()
  .then((code) => {
    process.exitCode = code;
  })
  .catch(async (error: unknown) => {
    process.stderr.write(`bench:retention failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    await cleanups.run();
    process.exitCode = 1;
  });
