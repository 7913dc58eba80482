/**
 * `npm run bench:gateway`: the gateway's throughput and latency against a fresh PostgreSQL
 * database, beside pgbench running the same client-create transaction. Everything runs on this
 * machine over loopback; see BENCHMARKS.md for what is measured and the numbers.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type GatewayBenchDatabase, createGatewayBenchDatabase } from './gateway-database';
import { backgroundLoad, CpuMeter } from './cpu-usage';
import { summariseProfile } from './cpu-profile-summary';
import { ensureGatewayBuild, gatewayEntry } from './gateway-build';
import { measureFixedRate } from './fixed-rate-load';
import { startGateway, type GatewayProcess } from './gateway-process';
import { type IdRange, REQUEST_KINDS } from './gateway-requests';
import type { LoadResult } from './load-result';
import { runPgbench } from './pgbench';
import { commitOf, type GatewayBenchReport, markdown, profileText, type Target } from './gateway-report';
import { machineInfo } from './machine';
import { measureSaturation } from './saturation-load';

const ROOT = resolve(__dirname, '..');
const RESULTS_DIR = join(__dirname, 'results');
const TOKEN = 'bench-token';
const WARM_UP_SECONDS = 3;
const PAUSE_BETWEEN_PHASES_MS = 1_000;
const BACKGROUND_SAMPLE_MS = 3_000;
/** Above this share of one core used by others before the run, the numbers say more about them than about the gateway. */
const BUSY_MACHINE_PERCENT = 20;

function setting(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new Error(`${name}=${raw}: expected a whole number from ${min} to ${max}`);
  return value;
}

const settings = {
  adminUrl: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  connections: setting('BENCH_CONNECTIONS', 32, 1, 1_000),
  durationSeconds: setting('BENCH_DURATION', 10, 1, 120),
  mixedRate: setting('BENCH_MIXED_RATE', 500, 1, 20_000),
  mixedDurationSeconds: setting('BENCH_MIXED_DURATION', 15, 1, 120),
  seedClients: setting('BENCH_SEED_CLIENTS', 10_000, 1, 1_000_000),
  profile: process.env.BENCH_PROFILE === '1',
  /** Another build of the gateway to measure instead of dist/ (a before/after comparison). */
  entry: process.env.BENCH_GATEWAY_ENTRY,
  skipBuild: process.env.BENCH_SKIP_BUILD === '1',
};

/** Undone in reverse order on the way out, also after a failure or Ctrl-C. */
const cleanups: (() => Promise<void>)[] = [];
let cleaningUp: Promise<void> | undefined;

function cleanUp(): Promise<void> {
  cleaningUp ??= (async () => {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        process.stderr.write(`cleanup failed: ${String(error)}\n`);
      }
    }
  })();
  return cleaningUp;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: stopping the gateway and dropping the database\n`);
    void cleanUp().finally(() => process.exit(130));
  });
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

interface Measurement {
  gateway: GatewayProcess;
  database: GatewayBenchDatabase;
  meter: CpuMeter | undefined;
}

async function measured(
  { gateway, database, meter }: Measurement,
  phase: string,
  measure: () => Promise<LoadResult>,
): Promise<LoadResult> {
  await sleep(PAUSE_BETWEEN_PHASES_MS);
  gateway.assertRunning();
  const pids = await database.backendPids();
  const before = meter?.snapshot(pids);
  const { result, profilePath } = await gateway.profiled(phase, measure);
  const after = meter?.snapshot(pids);
  gateway.assertRunning();
  const load: LoadResult = { ...result, phase, ...(profilePath === undefined ? {} : { profile: profilePath }) };
  if (before !== undefined && after !== undefined) {
    const spent = CpuMeter.spent(before, after);
    const perResponse = (ms: number): number => Math.round((ms / Math.max(1, load.responses)) * 1000) / 1000;
    load.cpu = CpuMeter.share(before, after);
    load.cpuMsPerResponse = { gateway: perResponse(spent.gatewayMs), postgres: perResponse(spent.postgresMs) };
  }
  log(
    `  ${phase}: ${load.requestsPerSecond} 2xx/s, p50 ${load.latency.p50.toFixed(2)} ms, p99 ${load.latency.p99.toFixed(2)} ms, non-2xx ${load.non2xx}, errors ${load.errors}`,
  );
  return load;
}

function targets(loads: LoadResult[], pgbenchTps: number): Target[] {
  const rate = (phase: string): number => loads.find((load) => load.phase === phase)?.requestsPerSecond ?? 0;
  const mixedP99 = loads.find((load) => load.phase === 'mixed')?.latency.p99 ?? Number.POSITIVE_INFINITY;
  const ratio = pgbenchTps === 0 ? 0 : rate('create') / pgbenchTps;
  return [
    { name: 'writes: POST /api/v1/clients', goal: '≥ 2,000/s', measured: `${rate('create')}/s`, met: rate('create') >= 2_000 },
    { name: 'writes: PUT /api/v1/status/{id}', goal: '≥ 2,000/s', measured: `${rate('status')}/s`, met: rate('status') >= 2_000 },
    { name: 'reads: GET /api/v1/clients/{id}', goal: '≥ 5,000/s', measured: `${rate('read')}/s`, met: rate('read') >= 5_000 },
    {
      name: `p99 at ${settings.mixedRate} req/s mixed`,
      goal: '≤ 25 ms',
      measured: `${mixedP99.toFixed(1)} ms`,
      met: mixedP99 <= 25,
    },
    { name: 'client creates ÷ pgbench TPS', goal: '≥ 50%', measured: `${Math.round(ratio * 100)}%`, met: ratio >= 0.5 },
  ];
}

async function main(): Promise<number> {
  const startedAt = new Date();
  if (!settings.skipBuild && settings.entry === undefined) ensureGatewayBuild(ROOT);
  const background = await backgroundLoad(BACKGROUND_SAMPLE_MS);
  log(
    `machine busy before the run: ${background}% of one core${background > BUSY_MACHINE_PERCENT ? ' -- other work is running; expect lower numbers' : ''}`,
  );
  const database = await createGatewayBenchDatabase(settings.adminUrl);
  cleanups.push(() => database.drop());
  log(`database ${database.name} (PostgreSQL ${database.serverVersion})`);

  const profileDir = settings.profile
    ? join(RESULTS_DIR, `profiles-${startedAt.toISOString().replace(/[:.]/g, '-')}`)
    : undefined;
  if (profileDir !== undefined) mkdirSync(profileDir, { recursive: true });
  const gateway = await startGateway({
    entry: resolve(settings.entry ?? gatewayEntry(ROOT)),
    databaseUrl: database.url,
    token: TOKEN,
    profileDir,
  });
  cleanups.push(() => gateway.stop());
  log(`gateway pid ${gateway.pid} at ${gateway.baseUrl}${profileDir === undefined ? '' : `, CPU profiles in ${profileDir}`}`);

  const ids: IdRange = await database.seedClients(settings.seedClients);
  log(`seeded clients ${ids.firstId}..${ids.lastId}`);
  const saturation = { baseUrl: gateway.baseUrl, token: TOKEN, ids, connections: settings.connections };

  log(`warming up (${WARM_UP_SECONDS} s per request kind, not counted)`);
  for (const kind of REQUEST_KINDS) await measureSaturation(kind, { ...saturation, durationSeconds: WARM_UP_SECONDS });
  gateway.assertRunning();

  const measurement: Measurement = { gateway, database, meter: CpuMeter.forProcess(gateway.pid) };
  const loads: LoadResult[] = [];
  log(`saturation: ${settings.connections} connections, ${settings.durationSeconds} s each`);
  for (const kind of REQUEST_KINDS) {
    loads.push(
      await measured(measurement, kind, () =>
        measureSaturation(kind, { ...saturation, durationSeconds: settings.durationSeconds }),
      ),
    );
  }
  const gatewayDatabaseConnections = (await database.backendPids()).length;
  log(`fixed rate: ${settings.mixedRate} req/s for ${settings.mixedDurationSeconds} s, 20% create, 20% status, 60% read`);
  loads.push(
    await measured(measurement, 'mixed', () =>
      measureFixedRate({
        ...saturation,
        requestsPerSecond: settings.mixedRate,
        durationSeconds: settings.mixedDurationSeconds,
        mix: ['create', 'status', 'read', 'read', 'read'],
        maxConnections: settings.connections,
      }),
    ),
  );
  await gateway.stop();

  log(
    `pgbench: the client-create transaction, ${settings.durationSeconds} s, at ${settings.connections} and at ${gatewayDatabaseConnections} connections (the gateway's pool)`,
  );
  const pgbench = [];
  for (const clients of new Set([settings.connections, gatewayDatabaseConnections].filter((count) => count > 0))) {
    await sleep(PAUSE_BETWEEN_PHASES_MS);
    const run = await runPgbench({
      databaseUrl: database.url,
      clients,
      threads: Math.min(clients, cpus().length),
      durationSeconds: settings.durationSeconds,
      backendPids: () => database.backendPids(),
    });
    log(
      `  pgbench -c ${clients}: ${run.transactionsPerSecond} tps, p50 ${run.latency.p50.toFixed(2)} ms, p99 ${run.latency.p99.toFixed(2)} ms`,
    );
    pgbench.push(run);
  }

  const profiles = Object.fromEntries(
    loads.flatMap((load) => (load.profile === undefined ? [] : [[load.phase, summariseProfile(load.profile)] as const])),
  );
  const report: GatewayBenchReport = {
    startedAt: startedAt.toISOString(),
    commit: commitOf(ROOT),
    machine: machineInfo(database.serverVersion),
    backgroundLoadPercent: background,
    settings: {
      connections: settings.connections,
      durationSeconds: settings.durationSeconds,
      mixedRate: settings.mixedRate,
      mixedDurationSeconds: settings.mixedDurationSeconds,
      seedClients: settings.seedClients,
      profiled: settings.profile,
      gatewayEntry: settings.entry ?? 'dist/apps/gateway/src/main.js',
      loadGenerator: 'autocannon 9 (saturation) and an open-loop node:http generator (fixed rate), in the benchmark process',
    },
    gatewayDatabaseConnections,
    loads,
    pgbench,
    targets: targets(loads, pgbench[0]?.transactionsPerSecond ?? 0),
    profiles,
  };
  await cleanUp();

  mkdirSync(RESULTS_DIR, { recursive: true });
  const resultPath = join(RESULTS_DIR, `gateway-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(resultPath, `${JSON.stringify(report, null, 2)}\n`);
  log('');
  for (const [phase, summary] of Object.entries(profiles)) log(`${profileText(phase, summary)}\n`);
  if (settings.profile)
    log('(profiled run: the profiler slows the gateway; take the numbers from a run without BENCH_PROFILE)\n');
  log(markdown(report));
  log(`\nwritten to ${resultPath}`);
  const failures =
    loads.reduce((sum, load) => sum + load.non2xx + load.errors, 0) + pgbench.reduce((sum, run) => sum + run.failed, 0);
  if (failures > 0) log(`\n${failures} requests or transactions failed: the numbers above are not valid`);
  return failures > 0 ? 1 : 0;
}

main()
  .then((code) => {
    process.exitCode = code;
  })
  .catch(async (error: unknown) => {
    process.stderr.write(`bench:gateway failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    await cleanUp();
    process.exitCode = 1;
  });
