/**
 * `npm run bench:gateway`: the gateway's throughput and latency against a fresh PostgreSQL
 * database, at LOG_LEVEL=warn and at info, beside the baseline server (bench/baseline-server.mts:
 * the same database work on the same stack with nothing else) under the same load on a database
 * seeded alike, and pgbench running the same client-create transaction. Everything runs on this
 * machine over loopback; see BENCHMARKS.md for what is measured and the numbers.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type GatewayBenchDatabase, createGatewayBenchDatabase } from './gateway-database';
import { backgroundLoad, CpuMeter } from './cpu-usage';
import { summariseProfile } from './cpu-profile-summary';
import { ensureGatewayBuild, gatewayEntry } from './gateway-build';
import { openEventStreams } from './event-streams';
import { measureFixedRate } from './fixed-rate-load';
import { startGateway, type GatewayProcess } from './gateway-process';
import { type IdRange, REQUEST_KINDS } from './gateway-requests';
import type { LoadResult } from './load-result';
import { runPgbench } from './pgbench';
import {
  commitOf,
  type GatewayBenchReport,
  gatewayTargets,
  markdown,
  MIXED_WITH_STREAMS,
  profileText,
  type ServerName,
} from './gateway-report';
import { machineInfo } from './machine';
import { measureSaturation } from './saturation-load';
import { wholeNumberSetting } from './bench-setting';
import { Cleanups } from './cleanups';

const ROOT = resolve(__dirname, '..');
const RESULTS_DIR = join(__dirname, 'results');
const TOKEN = 'bench-token';
const WARM_UP_SECONDS = 3;
const PAUSE_BETWEEN_PHASES_MS = 1_000;
const BACKGROUND_SAMPLE_MS = 3_000;
/** Above this share of one core used by others before the run, the numbers say more about them than about the gateway. */
const BUSY_MACHINE_PERCENT = 20;

const settings = {
  adminUrl: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  connections: wholeNumberSetting('BENCH_CONNECTIONS', 32, 1, 1_000),
  durationSeconds: wholeNumberSetting('BENCH_DURATION', 10, 1, 120),
  mixedRate: wholeNumberSetting('BENCH_MIXED_RATE', 500, 1, 20_000),
  mixedDurationSeconds: wholeNumberSetting('BENCH_MIXED_DURATION', 15, 1, 120),
  seedClients: wholeNumberSetting('BENCH_SEED_CLIENTS', 10_000, 1, 1_000_000),
  /** Event streams held open during the second mixed phase of the gateway at warn. */
  openStreams: wholeNumberSetting('BENCH_OPEN_STREAMS', 100, 1, 10_000),
  profile: process.env.BENCH_PROFILE === '1',
  /** Another build of the gateway to measure instead of dist/ (a before/after comparison). */
  entry: process.env.BENCH_GATEWAY_ENTRY,
  skipBuild: process.env.BENCH_SKIP_BUILD === '1',
};

const cleanups = new Cleanups();
cleanups.runOnSignals('stopping the gateway and dropping the database');

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

interface ServerRun {
  name: ServerName;
  logLevel: 'warn' | 'info';
  /** Pooled connections the server held open to PostgreSQL during the run. */
  databaseConnections: number;
  loads: LoadResult[];
  database: GatewayBenchDatabase;
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

/** A server the run measures: the gateway at two log levels, and the baseline on the same stack. */
interface MeasuredServer {
  name: ServerName;
  entry: string;
  logLevel: 'warn' | 'info';
  /** The baseline migrates nothing itself: the gateway's migrations prepare its database. */
  migrateFirst: boolean;
}

function measuredServers(): MeasuredServer[] {
  const gateway = resolve(settings.entry ?? gatewayEntry(ROOT));
  return [
    { name: 'gateway-warn', entry: gateway, logLevel: 'warn', migrateFirst: false },
    { name: 'gateway-info', entry: gateway, logLevel: 'info', migrateFirst: false },
    {
      name: 'baseline',
      // Node 24 runs it as it is: its TypeScript is types only, which node strips.
      entry: join(__dirname, 'baseline-server.mts'),
      logLevel: 'warn',
      migrateFirst: true,
    },
  ];
}

function migrate(databaseUrl: string): void {
  const run = spawnSync(process.execPath, [join(ROOT, 'dist/libs/platform/src/migrate.main.js')], {
    cwd: tmpdir(),
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (run.status !== 0) throw new Error(`migrating the baseline's database failed: ${run.stderr || run.stdout}`);
}

/** One server on a fresh database of its own, seeded alike: warm-up, saturation per request kind, the mixed load. */
async function measureServer(server: MeasuredServer, profileDir: string | undefined): Promise<ServerRun> {
  const database = await createGatewayBenchDatabase(settings.adminUrl);
  cleanups.push(() => database.drop());
  if (server.migrateFirst) migrate(database.url);
  const serverProcess = await startGateway({
    entry: server.entry,
    logLevel: server.logLevel,
    databaseUrl: database.url,
    token: TOKEN,
    profileDir: server.name === 'baseline' ? undefined : profileDir && join(profileDir, server.name),
  });
  cleanups.push(() => serverProcess.stop());
  log(`${server.name}: pid ${serverProcess.pid} at ${serverProcess.baseUrl}, database ${database.name}`);

  const ids: IdRange = await database.seedClients(settings.seedClients);
  const saturation = { baseUrl: serverProcess.baseUrl, token: TOKEN, ids, connections: settings.connections };
  for (const kind of REQUEST_KINDS) await measureSaturation(kind, { ...saturation, durationSeconds: WARM_UP_SECONDS });
  serverProcess.assertRunning();

  const measurement: Measurement = { gateway: serverProcess, database, meter: CpuMeter.forProcess(serverProcess.pid) };
  const loads: LoadResult[] = [];
  for (const kind of REQUEST_KINDS) {
    loads.push(
      await measured(measurement, kind, () =>
        measureSaturation(kind, { ...saturation, durationSeconds: settings.durationSeconds }),
      ),
    );
  }
  const databaseConnections = (await database.backendPids()).length;
  const mixedLoad = (): Promise<LoadResult> =>
    measureFixedRate({
      ...saturation,
      requestsPerSecond: settings.mixedRate,
      durationSeconds: settings.mixedDurationSeconds,
      mix: ['create', 'status', 'read', 'read', 'read'],
      maxConnections: settings.connections,
    });
  loads.push(await measured(measurement, 'mixed', mixedLoad));
  if (server.name === 'gateway-warn') {
    // The same mixed load again while event streams are held open and fed by it.
    const streams = await openEventStreams(serverProcess.baseUrl, TOKEN, settings.openStreams);
    try {
      loads.push(await measured(measurement, MIXED_WITH_STREAMS, mixedLoad));
      log(`  ${streams.open} of ${settings.openStreams} event streams still open, ${streams.bytesReceived} bytes received`);
    } finally {
      streams.close();
    }
  }
  await serverProcess.stop();
  return { name: server.name, logLevel: server.logLevel, databaseConnections, loads, database };
}

async function main(): Promise<number> {
  const startedAt = new Date();
  if (!settings.skipBuild && settings.entry === undefined) ensureGatewayBuild(ROOT);
  const background = await backgroundLoad(BACKGROUND_SAMPLE_MS);
  log(
    `machine busy before the run: ${background}% of one core${background > BUSY_MACHINE_PERCENT ? ' -- other work is running; expect lower numbers' : ''}`,
  );
  const profileDir = settings.profile
    ? join(RESULTS_DIR, `profiles-${startedAt.toISOString().replace(/[:.]/g, '-')}`)
    : undefined;
  if (profileDir !== undefined)
    for (const name of ['gateway-warn', 'gateway-info']) mkdirSync(join(profileDir, name), { recursive: true });

  log(
    `each server on a fresh database seeded with ${settings.seedClients} clients; warm-up ${WARM_UP_SECONDS} s per request kind, ` +
      `then ${settings.connections} connections for ${settings.durationSeconds} s each, ` +
      `then ${settings.mixedRate} req/s for ${settings.mixedDurationSeconds} s (20% create, 20% status, 60% read)`,
  );
  const runs: ServerRun[] = [];
  for (const server of measuredServers()) runs.push(await measureServer(server, profileDir));

  const first = runs[0];
  if (first === undefined) throw new Error('no server was measured');
  log(
    `pgbench: the client-create transaction, ${settings.durationSeconds} s, at ${settings.connections} and at ${first.databaseConnections} connections (the gateway's pool)`,
  );
  const pgbench = [];
  for (const clients of new Set([settings.connections, first.databaseConnections].filter((count) => count > 0))) {
    await sleep(PAUSE_BETWEEN_PHASES_MS);
    const run = await runPgbench({
      databaseUrl: first.database.url,
      clients,
      threads: Math.min(clients, cpus().length),
      durationSeconds: settings.durationSeconds,
      backendPids: () => first.database.backendPids(),
    });
    log(
      `  pgbench -c ${clients}: ${run.transactionsPerSecond} tps, p50 ${run.latency.p50.toFixed(2)} ms, p99 ${run.latency.p99.toFixed(2)} ms`,
    );
    pgbench.push(run);
  }

  const profiles = Object.fromEntries(
    runs.flatMap((run) =>
      run.loads.flatMap((load) =>
        load.profile === undefined ? [] : [[`${run.name} ${load.phase}`, summariseProfile(load.profile)] as const],
      ),
    ),
  );
  const servers = runs.map(({ name, logLevel, databaseConnections, loads }) => ({ name, logLevel, databaseConnections, loads }));
  const report: GatewayBenchReport = {
    startedAt: startedAt.toISOString(),
    commit: commitOf(ROOT),
    machine: machineInfo(first.database.serverVersion),
    backgroundLoadPercent: background,
    settings: {
      connections: settings.connections,
      durationSeconds: settings.durationSeconds,
      mixedRate: settings.mixedRate,
      mixedDurationSeconds: settings.mixedDurationSeconds,
      seedClients: settings.seedClients,
      openStreams: settings.openStreams,
      profiled: settings.profile,
      gatewayEntry: settings.entry ?? 'dist/apps/gateway/src/main.js',
      loadGenerator: 'autocannon 9 (saturation) and an open-loop node:http generator (fixed rate), in the benchmark process',
    },
    servers,
    pgbench,
    targets: gatewayTargets(servers, settings.mixedRate),
    profiles,
  };
  await cleanups.run();

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
    runs.reduce((sum, run) => sum + run.loads.reduce((inRun, load) => inRun + load.non2xx + load.errors, 0), 0) +
    pgbench.reduce((sum, run) => sum + run.failed, 0);
  if (failures > 0) log(`\n${failures} requests or transactions failed: the numbers above are not valid`);
  return failures > 0 ? 1 : 0;
}

main()
  .then((code) => {
    process.exitCode = code;
  })
  .catch(async (error: unknown) => {
    process.stderr.write(`bench:gateway failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    await cleanups.run();
    process.exitCode = 1;
  });
