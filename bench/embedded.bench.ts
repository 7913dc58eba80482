/**
 * `npm run bench:embedded`: the resident memory of the one-process app (`npm start`) with 1,000
 * clients and their pods, on its embedded database and, as the baseline, on the shared
 * PostgreSQL (DATABASE_URL). Each case starts the built app as a child process on fresh data,
 * creates the clients over the REST API, waits until every pod runs, lets the app rest and
 * reads /proc. See BENCHMARKS.md for the numbers.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { backgroundLoad } from './cpu-usage';
import { createGatewayBenchDatabase, type GatewayBenchDatabase } from './gateway-database';
import { ensureGatewayBuild, standaloneEntry } from './gateway-build';
import { freeLoopbackPort, type GatewayProcess, startGateway } from './gateway-process';
import { commitOf } from './gateway-report';
import { machineInfo } from './machine';
import { processMemory, sumMemory, type TreeMemory, treeMemory } from './process-memory';
import { wholeNumberSetting } from './bench-setting';

const ROOT = resolve(__dirname, '..');
const RESULTS_DIR = join(__dirname, 'results');
const TOKEN = 'bench-token';
const CASES = ['embedded', 'postgres'] as const;
type CaseName = (typeof CASES)[number];
const REQUEST_CONCURRENCY = 8;
const SETTLE_AFTER_START_MS = 5_000;
const CONVERGENCE_TIMEOUT_MS = 600_000;
const SAMPLE_EVERY_MS = 5_000;

function caseNames(raw: string | undefined): CaseName[] {
  const names = (raw ?? CASES.join(',')).split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(CASES as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`BENCH_CASES=${raw}: expected a list of ${CASES.join(', ')}`);
  return names as CaseName[];
}

/** The options `npm start` gives node before the app's entry point: the app measured as it runs. */
function startScriptNodeArgs(): string {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const match = /\bnode ((?:--\S+ )*)dist\/apps\/standalone\/src\/main\.js/.exec(manifest.scripts.start ?? '');
  if (match === null)
    throw new Error(`package.json's start script does not run dist/apps/standalone/src/main.js: ${manifest.scripts.start}`);
  return match[1] ?? '';
}

const settings = {
  adminUrl: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  clients: wholeNumberSetting('BENCH_CLIENTS', 1_000, 1, 100_000),
  algorithms: (process.env.BENCH_ALGORITHMS ?? 'VWAP,TWAP').split(',').filter((name) => name !== ''),
  restSeconds: wholeNumberSetting('BENCH_REST', 60, 5, 3_600),
  cases: caseNames(process.env.BENCH_CASES),
  /** Names what the embedded case runs on in the report, e.g. when measuring another build. */
  embeddedLabel: process.env.BENCH_EMBEDDED_LABEL ?? 'embedded PostgreSQL',
  entry: process.env.BENCH_APP_ENTRY,
  /** Unset: node's options of `npm start`; set (even empty): these instead. */
  nodeArgs: (process.env.BENCH_NODE_ARGS ?? startScriptNodeArgs()).split(' ').filter((arg) => arg !== ''),
  skipBuild: process.env.BENCH_SKIP_BUILD === '1',
};

interface CaseResult {
  name: CaseName;
  label: string;
  /** Settled after start, before any client. */
  idle: TreeMemory;
  createSeconds: number;
  convergeSeconds: number;
  runningPods: number;
  /** The last sample of the rest period. */
  rest: TreeMemory;
  /** The largest tree RSS among the rest period's samples. */
  restMaxRssMb: number;
  /** The app's own account of its memory at rest (prom-client's default metrics), in MiB. */
  nodeMemory: NodeMemory;
  /** Baseline only: the backends of the shared server serving the app's connections. */
  serverBackends?: TreeMemory;
  /** Processes of the tree still alive a moment after SIGTERM was answered (should be none). */
  leftAfterStop: number;
  stopSeconds: number;
}

interface NodeMemory {
  heapTotalMb: number;
  heapUsedMb: number;
  externalMb: number;
}

/** From GET /metrics: the V8 heap (committed and used) and memory outside it (buffers, native). */
async function nodeMemory(app: GatewayProcess): Promise<NodeMemory> {
  const response = await fetch(`${app.baseUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  const metric = (name: string): number => {
    const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
    if (match?.[1] === undefined) throw new Error(`no ${name} in /metrics`);
    return Math.round((Number(match[1]) / 2 ** 20) * 10) / 10;
  };
  return {
    heapTotalMb: metric('nodejs_heap_size_total_bytes'),
    heapUsedMb: metric('nodejs_heap_size_used_bytes'),
    externalMb: metric('nodejs_external_memory_bytes'),
  };
}

/** Undone in reverse order on the way out, also after a failure or Ctrl-C. */
const cleanups: (() => Promise<void> | void)[] = [];

async function cleanUp(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      await cleanup();
    } catch (error) {
      process.stderr.write(`cleanup failed: ${String(error)}\n`);
    }
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: stopping the app and removing its data\n`);
    void cleanUp().finally(() => process.exit(130));
  });
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function request(app: GatewayProcess, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${app.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text === '' ? undefined : (JSON.parse(text) as { data?: unknown }).data;
}

/** Each client created, then its algorithms switched on; `REQUEST_CONCURRENCY` clients at a time. */
async function createClients(app: GatewayProcess): Promise<void> {
  const algorithms = Object.fromEntries(settings.algorithms.map((name) => [name, true]));
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < settings.clients; index = next++) {
      const client = (await request(app, 'POST', '/api/v1/clients', {
        name: `bench-${index}`,
        version: 1,
        image: 'registry.example.com/algo:1.0',
        cpu: '500m',
        mem: '256Mi',
        priority: index % 10,
      })) as { id: number };
      await request(app, 'PUT', `/api/v1/status/${client.id}`, algorithms);
    }
  };
  await Promise.all(Array.from({ length: REQUEST_CONCURRENCY }, worker));
}

/** Until a dry run plans nothing and counts every pod running. */
async function waitForPods(app: GatewayProcess, expected: number): Promise<number> {
  const deadline = Date.now() + CONVERGENCE_TIMEOUT_MS;
  let running = 0;
  while (Date.now() < deadline) {
    app.assertRunning();
    const plan = (await request(app, 'GET', '/api/v1/sync/plan')) as { operations: unknown[]; running: number };
    running = plan.running;
    if (plan.operations.length === 0 && running >= expected) return running;
    await sleep(1_000);
  }
  throw new Error(`${running} of ${expected} pods running after ${CONVERGENCE_TIMEOUT_MS / 1000} s`);
}

async function runCase(name: CaseName): Promise<CaseResult> {
  const caseCleanups: (() => Promise<void> | void)[] = [];
  cleanups.push(async () => {
    for (const cleanup of caseCleanups.splice(0).reverse()) await cleanup();
  });
  let database: GatewayBenchDatabase | undefined;
  const env: Record<string, string> = {
    PODSYNC_METRICS_PORT: String(await freeLoopbackPort()),
    PODSYNC_DEPLOYER: 'simulated',
    PODSIM_LATENCY_MS: '0',
    PODSYNC_ALGORITHMS: settings.algorithms.join(','),
  };
  if (name === 'postgres') {
    database = await createGatewayBenchDatabase(settings.adminUrl);
    const created = database;
    caseCleanups.push(() => created.drop());
  } else {
    const dataDir = mkdtempSync(join(tmpdir(), 'podsync-bench-embedded-'));
    caseCleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    env.PODSYNC_DATA_DIR = dataDir;
  }
  const label = name === 'postgres' ? `PostgreSQL ${database?.serverVersion ?? ''} (DATABASE_URL)` : settings.embeddedLabel;
  log(`${label}:`);
  const app = await startGateway({
    entry: resolve(settings.entry ?? standaloneEntry(ROOT)),
    databaseUrl: database?.url,
    token: TOKEN,
    profileDir: undefined,
    env,
    nodeArgs: settings.nodeArgs,
    logLevel: 'warn',
  });
  caseCleanups.push(() => app.stop());
  await sleep(SETTLE_AFTER_START_MS);
  const idle = treeMemory(app.pid);
  log(`  started, pid ${app.pid}: RSS ${idle.rssMb} MiB (${idle.processes.length} processes)`);

  let startedAt = Date.now();
  await createClients(app);
  const createSeconds = (Date.now() - startedAt) / 1000;
  log(`  ${settings.clients} clients with ${settings.algorithms.join(', ')} created in ${createSeconds.toFixed(1)} s`);
  const expected = settings.clients * settings.algorithms.length;
  const runningPods = await waitForPods(app, expected);
  const convergeSeconds = (Date.now() - startedAt) / 1000;
  log(`  ${runningPods} pods running ${convergeSeconds.toFixed(1)} s after the first request`);

  log(`  resting ${settings.restSeconds} s`);
  let rest = treeMemory(app.pid);
  let restMaxRssMb = rest.rssMb;
  for (let waited = 0; waited < settings.restSeconds * 1000; waited += SAMPLE_EVERY_MS) {
    await sleep(SAMPLE_EVERY_MS);
    app.assertRunning();
    rest = treeMemory(app.pid);
    restMaxRssMb = Math.max(restMaxRssMb, rest.rssMb);
  }
  log(`  at rest: RSS ${rest.rssMb} MiB, PSS ${rest.pssMb} MiB, peak ${rest.peakRssMb} MiB`);
  const node = await nodeMemory(app);
  log(`  the app's V8 heap ${node.heapUsedMb} MiB used of ${node.heapTotalMb} MiB, external ${node.externalMb} MiB`);
  const serverBackends =
    database === undefined ? undefined : sumMemory((await database.backendPids()).flatMap((pid) => processMemory(pid) ?? []));

  const tree = [app.pid, ...rest.processes.map((process) => process.pid)];
  startedAt = Date.now();
  await app.stop();
  const stopSeconds = (Date.now() - startedAt) / 1000;
  await sleep(1_000);
  const leftAfterStop = tree.filter((pid) => processMemory(pid) !== undefined).length;
  log(`  stopped in ${stopSeconds.toFixed(1)} s, ${leftAfterStop} of its processes left`);
  await cleanups.pop()?.();
  return {
    name,
    label,
    idle,
    createSeconds,
    convergeSeconds,
    runningPods,
    rest,
    restMaxRssMb,
    nodeMemory: node,
    ...(serverBackends === undefined ? {} : { serverBackends }),
    leftAfterStop,
    stopSeconds,
  };
}

function markdown(results: CaseResult[]): string {
  const mb = (value: number): string => value.toFixed(0);
  const lines = [
    `| database | processes | RSS idle | RSS at rest | PSS at rest | peak (VmHWM) | pods running after | SIGTERM → exit |`,
    `| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`,
  ];
  for (const result of results) {
    lines.push(
      `| ${result.label} | ${result.rest.processes.length} | ${mb(result.idle.rssMb)} MiB | ${mb(result.rest.rssMb)} MiB | ${mb(result.rest.pssMb)} MiB | ${mb(result.rest.peakRssMb)} MiB | ${result.convergeSeconds.toFixed(0)} s | ${result.stopSeconds.toFixed(1)} s |`,
    );
    if (result.serverBackends !== undefined)
      lines.push(
        `| ↳ its ${result.serverBackends.processes.length} backends on the shared server | | | ${mb(result.serverBackends.rssMb)} MiB | ${mb(result.serverBackends.pssMb)} MiB | | | |`,
      );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const startedAt = new Date();
  if (!settings.skipBuild && settings.entry === undefined) ensureGatewayBuild(ROOT);
  const background = await backgroundLoad(3_000);
  log(`machine busy before the run: ${background}% of one core`);
  const results: CaseResult[] = [];
  for (const name of settings.cases) results.push(await runCase(name));
  const report = {
    startedAt: startedAt.toISOString(),
    commit: commitOf(ROOT),
    machine: machineInfo(results.find((result) => result.name === 'postgres')?.label ?? 'n/a'),
    backgroundLoadPercent: background,
    settings,
    results,
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const resultPath = join(RESULTS_DIR, `embedded-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(resultPath, `${JSON.stringify(report, null, 2)}\n`);
  log(`\n${markdown(results)}\n\nwritten to ${resultPath}`);
}

main().catch(async (error: unknown) => {
  process.stderr.write(`bench:embedded failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  await cleanUp();
  process.exitCode = 1;
});
