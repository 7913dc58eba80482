// `npm run bench:heal`: self-healing in the one-process mode (the leader's rounds, its watch of the
// pods and the simulated deployer in one process, composed as the reconciler module composes them;
// the gateway plays no part in healing and is left out) against the real PostgreSQL on
// 127.0.0.1:5432, in a fresh database dropped at the end (also on failure and on Ctrl-C). The
// benchmark acts on the simulated deployer behind podsync's back:
//   1. heal: of 300 running pods (100 clients × 3 algorithms), 100 vanish and 100 others fail
//      (phase Failed, reason Evicted) at the same instant; each is timed until a pod of its name is
//      Running and ready again (seen on the deployer's own watch), at PODSYNC_OPS_PER_SECOND 100
//      (the default) and 1,000;
//   2. storm: a pod that fails on every start, left for BENCH_STORM_SECONDS (default 300 s): how
//      many times it was replaced.
// The baseline, measured in the same run: the same 200 repairs done directly (one create per
// vanished pod, a delete and a create per failed one), through the same rate limit (TokenBucket)
// and concurrency (16), on a simulated deployer of the same 300 pods: the least any reconciler
// under that limit needs. A pod counts as running again when the deployer's create of it returns
// (with no latency configured the simulated pod is Running and ready at once).
import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { EmbeddedEventBus } from '@podsync/bus';
import { type Database, openDatabase } from '@podsync/db';
import pino from 'pino';
import postgres from 'postgres';
import type { PodToRun } from '@podsync/domain';
import { SimulatedDeployer } from '../apps/reconciler/src/deployers/simulated.deployer';
import { forEachBounded } from '../apps/reconciler/src/sync/for-each-bounded';
import { TokenBucket } from '../apps/reconciler/src/sync/token-bucket';
import { ObservingLeader } from '../test/support/observing-leader';
import { createTestDatabase, type TestDatabase } from '../test/support/test-database';
import { type LatencySummary, summariseLatencies } from './latency';
import { machineInfo, type MachineInfo, waitForQuietMachine } from './machine';

const ROOT = join(__dirname, '..');
const CLIENTS = 100;
const ALGORITHMS = ['VWAP', 'TWAP', 'HFT'];
const VANISHED = 100;
const FAILED = 100;
const RATES = [100, 1_000];
const STORM_SECONDS = Number(process.env.BENCH_STORM_SECONDS ?? 300);
const HEAL_LIMIT_MS = 120_000;
const QUIET_WAIT_MS = 30_000;

interface HealRow {
  opsPerSecond: number;
  vanished: LatencySummary;
  failed: LatencySummary;
  all: LatencySummary;
  /** The same repairs done directly under the same rate limit and concurrency: the floor. */
  direct: LatencySummary;
  machineBusyPercent: number;
}

/** The simulated deployer, noting when each create of a pod returned. */
class TimedDeployer extends SimulatedDeployer {
  readonly createdAtMs = new Map<string, number>();

  override async create(pod: PodToRun, signal: AbortSignal): Promise<void> {
    await super.create(pod, signal);
    this.createdAtMs.set(pod.name, performance.now());
  }
}

const CONCURRENCY = 16;

interface StormResult {
  seconds: number;
  replacements: number;
  /** Seconds after the first failure at which each replacement finished. */
  replacedAtSeconds: number[];
}

let testDatabase: TestDatabase | undefined;
let database: Database | undefined;
let running: ObservingLeader | undefined;

/** The PodSync defaults of DESIGN §6, but for the rate limit under test. */
async function startLeader(db: Database, deployer: SimulatedDeployer, opsPerSecond: number): Promise<ObservingLeader> {
  const bus = new EmbeddedEventBus({ logger: pino({ level: 'silent' }) });
  running = new ObservingLeader(db, deployer, bus, { engine: { opsPerSecond, concurrency: CONCURRENCY, deleteGuard: 0.5 } });
  await running.start();
  return running;
}

async function stopLeader(): Promise<void> {
  await running?.stop();
  running = undefined;
}

async function seed(sql: postgres.Sql): Promise<void> {
  await sql`truncate clients, client_algorithms, pods, operations, sync_rounds, outbox, cluster_settings restart identity cascade`;
  await sql`
    insert into clients (name, version, image, cpu, mem)
    select 'heal-' || n, 1, 'registry.example.com/algo:1.0', '500m', '256Mi' from generate_series(1, ${CLIENTS}::int) as n`;
  await sql.unsafe(`
    insert into client_algorithms (client_id, algorithm, enabled)
    select c.id, a.name, true from clients c cross join unnest(array['VWAP', 'TWAP', 'HFT']) as a(name)`);
}

function runningAndReady(deployer: SimulatedDeployer): Set<string> {
  return new Set(
    deployer
      .snapshot()
      .filter((pod) => pod.health.phase === 'Running' && pod.health.ready)
      .map((pod) => pod.name),
  );
}

async function until(condition: () => boolean | Promise<boolean>, what: string, limitMs: number): Promise<void> {
  const deadline = performance.now() + limitMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`gave up after ${limitMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

async function measureHeal(db: Database, sql: postgres.Sql, opsPerSecond: number): Promise<HealRow> {
  await seed(sql);
  const deployer = new TimedDeployer();
  await startLeader(db, deployer, opsPerSecond);
  try {
    const total = CLIENTS * ALGORITHMS.length;
    await until(() => runningAndReady(deployer).size === total, `${total} pods running`, HEAL_LIMIT_MS);
    // Past the startup round's restart backoff (1 s after each create), and with its events settled.
    await sleep(2_000);
    const machineBusyPercent = await waitForQuietMachine(QUIET_WAIT_MS);

    const names = deployer
      .snapshot()
      .map((pod) => pod.name)
      .sort();
    const vanished = names.slice(0, VANISHED);
    const failed = names.slice(VANISHED, VANISHED + FAILED);
    const affected = [...vanished, ...failed];
    deployer.createdAtMs.clear();
    const t0 = performance.now();
    for (const name of vanished) deployer.vanish(name);
    for (const name of failed) deployer.failPod(name, 'Evicted', 'The node was low on resource: memory.');
    await until(() => affected.every((name) => deployer.createdAtMs.has(name)), 'every pod running again', HEAL_LIMIT_MS);

    const times = (group: string[]) => group.map((name) => (deployer.createdAtMs.get(name) ?? Number.NaN) - t0);
    return {
      opsPerSecond,
      vanished: summariseLatencies(times(vanished)),
      failed: summariseLatencies(times(failed)),
      all: summariseLatencies(times(affected)),
      direct: await measureDirectRepairs(opsPerSecond),
      machineBusyPercent,
    };
  } finally {
    await stopLeader();
  }
}

/** The same repairs without podsync: straight deployer calls under the same rate limit and concurrency. */
async function measureDirectRepairs(opsPerSecond: number): Promise<LatencySummary> {
  const deployer = new TimedDeployer();
  const signal = new AbortController().signal;
  const pods: PodToRun[] = [];
  for (let clientId = 1; clientId <= CLIENTS; clientId++) {
    for (const algorithm of ALGORITHMS) {
      pods.push({
        name: `${algorithm.toLowerCase()}-${clientId}`,
        clientId,
        algorithm,
        image: 'registry.example.com/algo:1.0',
        version: 1,
        cpu: '500m',
        mem: '256Mi',
        specHash: 'hash',
        epoch: 1,
      });
    }
  }
  for (const pod of pods) await deployer.create(pod, signal);
  const sorted = [...pods].sort((a, b) => a.name.localeCompare(b.name));
  const vanished = sorted.slice(0, VANISHED);
  const failed = sorted.slice(VANISHED, VANISHED + FAILED);
  for (const pod of vanished) deployer.vanish(pod.name);
  for (const pod of failed) deployer.failPod(pod.name);
  deployer.createdAtMs.clear();
  const bucket = new TokenBucket(opsPerSecond);
  const t0 = performance.now();
  await forEachBounded([...vanished, ...failed], CONCURRENCY, signal, async (pod) => {
    if (failed.includes(pod)) {
      await bucket.take(signal);
      await deployer.delete(pod.name, signal);
    }
    await bucket.take(signal);
    await deployer.create(pod, signal);
  });
  return summariseLatencies([...deployer.createdAtMs.values()].map((atMs) => atMs - t0));
}

async function measureStorm(db: Database, sql: postgres.Sql): Promise<StormResult> {
  await sql`truncate clients, client_algorithms, pods, operations, sync_rounds, outbox, cluster_settings restart identity cascade`;
  const [row] = await sql<{ id: number }[]>`
    insert into clients (name, version, image, cpu, mem) values ('storm', 1, 'registry.example.com/broken:1', '500m', '256Mi')
    returning id`;
  if (row === undefined) throw new Error('no client inserted');
  await sql`insert into client_algorithms (client_id, algorithm, enabled) values (${row.id}, 'VWAP', true)`;
  const pod = `vwap-${row.id}`;
  const deployer = new SimulatedDeployer();
  deployer.failOnEveryStart(pod, 'Error');
  const wallT0 = new Date();
  // The startup round creates the pod; it fails at once, every time.
  await startLeader(db, deployer, 100);
  try {
    await sleep(STORM_SECONDS * 1_000);
    const replaced = await sql<{ finished_at: Date }[]>`
      select finished_at from operations where pod = ${pod} and kind = 'restart' and reason = 'pod-failed' order by id`;
    return {
      seconds: STORM_SECONDS,
      replacements: replaced.length,
      replacedAtSeconds: replaced.map((operation) => Math.round((operation.finished_at.getTime() - wallT0.getTime()) / 100) / 10),
    };
  } finally {
    await stopLeader();
  }
}

function fixed(ms: number): string {
  return ms.toFixed(0);
}

function markdown(machine: MachineInfo, commit: string, heal: HealRow[], storm: StormResult): string {
  const lines = [
    `Commit ${commit}, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; ${machine.cores} × ${machine.cpuModel}, ` +
      `${machine.memoryGiB} GiB, Node ${machine.node}, PostgreSQL ${machine.postgres}.`,
    '',
    '| PODSYNC_OPS_PER_SECOND | pods | p50 ms | p99 ms | max ms | direct repairs p50 / p99 / max ms | p99 ÷ direct p99 | machine busy before % |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of heal) {
    const direct = `${fixed(row.direct.p50)} / ${fixed(row.direct.p99)} / ${fixed(row.direct.max)}`;
    for (const [label, summary] of [
      [`${VANISHED} vanished`, row.vanished],
      [`${FAILED} Failed (Evicted)`, row.failed],
      ['all 200', row.all],
    ] as const) {
      const ratio = row.direct.p99 > 0 ? (summary.p99 / row.direct.p99).toFixed(2) : '–';
      lines.push(
        `| ${row.opsPerSecond} | ${label} | ${fixed(summary.p50)} | ${fixed(summary.p99)} | ${fixed(summary.max)} | ${direct} | ${ratio} | ${row.machineBusyPercent} |`,
      );
    }
  }
  lines.push(
    '',
    `A pod failing on every start, over ${storm.seconds} s: ${storm.replacements} replacements, ` +
      `finished at ${storm.replacedAtSeconds.join(', ')} s after the leader started.`,
  );
  return lines.join('\n');
}

async function main(): Promise<void> {
  testDatabase = await createTestDatabase();
  const url = new URL(testDatabase.url);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
    throw new Error(`the benchmark only runs against a loopback database, not ${url.hostname}`);
  }
  database = openDatabase({ url: testDatabase.url, dataDir: '' });
  await database.migrate();
  const sql = postgres(testDatabase.url, { max: 1, onnotice: () => undefined });
  try {
    const [version] = await sql<{ server_version: string }[]>`show server_version`;
    const machine = machineInfo(version?.server_version ?? 'unknown');
    const commit = execSync('git rev-parse --short HEAD', { cwd: ROOT }).toString().trim();
    const heal: HealRow[] = [];
    for (const rate of RATES) heal.push(await measureHeal(database, sql, rate));
    const storm = await measureStorm(database, sql);
    const report = markdown(machine, commit, heal, storm);
    process.stdout.write(`${report}\n`);
    const resultsDir = join(ROOT, 'bench', 'results');
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(
      join(resultsDir, `heal-${new Date().toISOString().replace(/[:.]/g, '-')}.json`),
      JSON.stringify({ commit, machine, heal, storm }, null, 2),
    );
  } finally {
    await sql.end();
  }
}

async function cleanUp(): Promise<void> {
  await stopLeader().catch(() => undefined);
  await database?.close().catch(() => undefined);
  database = undefined;
  await testDatabase?.drop().catch(() => undefined);
  testDatabase = undefined;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void cleanUp().finally(() => process.exit(130));
  });
}

main()
  .then(cleanUp)
  .then(
    () => process.exit(0),
    async (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      await cleanUp();
      process.exit(1);
    },
  );
