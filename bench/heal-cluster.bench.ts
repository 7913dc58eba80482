// `npm run bench:heal-cluster`: self-healing in cluster mode, on the built apps (`npm run build`
// first) as test/support/cluster.ts runs them: the gateway and reconciler replicas as processes on
// a fresh database of the local PostgreSQL, their own redis-server and nats-server, and the test
// Kubernetes API server (pods Running and ready 100 ms after their create; a deleted pod goes at
// once). PODSYNC_SYNC_INTERVAL is the default 5m, so what heals is the leader's watch, not a
// periodic round. Two cases:
//   1. heal: the gateway and three replicas; 300 clients with one algorithm each, created through
//      the API; once their 300 pods run, 100 are deleted behind podsync's back (DELETE with
//      gracePeriodSeconds=0) and 100 others marked Failed with reason Evicted (PATCH .../status),
//      all at once. Each is timed, from its own request, until a pod of its name with a new uid is
//      Running and ready on the API server (seen on a watch of the benchmark's own), and the
//      creates and deletes podsync sent meanwhile are counted.
//   2. rest: one replica, the leader, over BENCH_FLEET_SIZES pods (default 10000; the clients are
//      inserted into the database, then the replica restarted so that its startup round creates
//      them at PODSYNC_OPS_PER_SECOND 5000), and nothing changing: its RSS and CPU over
//      BENCH_REST_SECONDS (default 60) from /proc/<pid>/status and /proc/<pid>/stat. The baseline,
//      same run: the same leader over 0 pods.
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import postgres from 'postgres';
import { type Cluster, startCluster } from '../test/support/cluster';
import type { KubePod, KubeWatchEvent } from '../test/support/kube-api-server';
import type { ReplicaProcess } from '../test/support/replica-process';
import { type LatencySummary, summariseLatencies } from './latency';
import { machineBusyPercent, machineInfo } from './machine';

const ROOT = join(__dirname, '..');
const CLIENTS = 300;
const VANISHED = 100;
const FAILED = 100;
const FLEET_SIZES = (process.env.BENCH_FLEET_SIZES ?? '10000').split(',').map(Number);
const REST_SECONDS = Number(process.env.BENCH_REST_SECONDS ?? 60);
const SYNC_INTERVAL = '5m';
const FLEET_OPS_PER_SECOND = '5000';
/** PODSYNC_OPS_PER_SECOND of the heal case: the default, 100, unless BENCH_OPS_PER_SECOND says otherwise. */
const HEAL_OPS_PER_SECOND = process.env.BENCH_OPS_PER_SECOND ?? '100';
const HEAL_LIMIT_MS = 120_000;
const FLEET_POLL_MS = 2_000;
const REQUEST_CONCURRENCY = 8;
const CLK_TCK = Number(execSync('getconf CLK_TCK').toString().trim());

interface HealResult {
  vanished: LatencySummary;
  failed: LatencySummary;
  all: LatencySummary;
  /** All 200 from the first disruption request sent, as the one-process benchmark times them. */
  allFromFirst: LatencySummary;
  /** Milliseconds from the first disruption request sent to the last answered. */
  disruptionMs: number;
  creates: number;
  deletes: number;
  machineBusyPercent: number;
}

interface RestResult {
  pods: number;
  seconds: number;
  rssStartMb: number;
  rssEndMb: number;
  rssMaxMb: number;
  /** V8's used heap at the window's end (prom-client's nodejs_heap_size_used_bytes): what RSS keeps that is live. */
  heapUsedEndMb: number;
  /** Percent of one core, averaged over the window. */
  cpuPercent: number;
  /** Seconds the startup round took to have every pod Running and ready (0 for the baseline). */
  convergeSeconds: number;
}

let cluster: Cluster | undefined;

async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < items.length; index = next++) await work(items[index] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function runningAndReady(pod: KubePod): boolean {
  const status = pod.status as { phase?: string; conditions?: { type: string; status: string }[] } | undefined;
  return (
    pod.metadata.deletionTimestamp === undefined &&
    status?.phase === 'Running' &&
    (status.conditions ?? []).some((condition) => condition.type === 'Ready' && condition.status === 'True')
  );
}

/** Watches the namespace's pods from now on, calling `onEvent` for each event until aborted. */
async function watchPods(
  kubeUrl: string,
  namespace: string,
  signal: AbortSignal,
  onEvent: (event: KubeWatchEvent) => void,
): Promise<void> {
  const response = await fetch(`${kubeUrl}/api/v1/namespaces/${namespace}/pods?watch=1&timeoutSeconds=600`, { signal });
  if (response.body === null) throw new Error('the watch answered without a body');
  const decoder = new TextDecoder();
  let buffered = '';
  void (async () => {
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffered += decoder.decode(chunk, { stream: true });
        for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          if (line.trim() !== '') onEvent(JSON.parse(line) as KubeWatchEvent);
        }
      }
    } catch (error) {
      // The wait for the pods then times out, with this as the reason.
      if (!signal.aborted) process.stderr.write(`the benchmark's watch failed: ${String(error)}\n`);
    }
  })();
}

async function kubeRequest(kubeUrl: string, method: string, path: string, body?: object): Promise<void> {
  const response = await fetch(kubeUrl + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/merge-patch+json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  if (response.status !== 200) throw new Error(`${method} ${path} answered ${response.status}`);
  await response.arrayBuffer();
}

async function measureHeal(): Promise<HealResult> {
  const running = await startCluster({
    replicas: 3,
    syncInterval: SYNC_INTERVAL,
    env: { LOG_LEVEL: 'warn', PODSYNC_OPS_PER_SECOND: HEAL_OPS_PER_SECOND },
  });
  cluster = running;
  try {
    const { gateway, kube, namespace } = running;
    const ids: number[] = [];
    await forEachLimited(
      Array.from({ length: CLIENTS }, (_, index) => index + 1),
      REQUEST_CONCURRENCY,
      async (n) => {
        const created = await gateway.request('POST', '/api/v1/clients', {
          json: { name: `heal-${n}`, version: 1, priority: 0, image: 'registry.example.com/algo:1.0', cpu: '500m', mem: '256Mi' },
        });
        if (created.status !== 201) throw new Error(`POST /api/v1/clients answered ${created.status}`);
        const id = created.body.data.id as number;
        ids.push(id);
        const status = await gateway.request('PUT', `/api/v1/status/${id}`, { json: { VWAP: true } });
        if (status.status >= 300) throw new Error(`PUT /api/v1/status/${id} answered ${status.status}`);
      },
    );
    await running.waitFor(async () => (await kube.pods(namespace)).filter(runningAndReady).length === CLIENTS, {
      what: `${CLIENTS} pods running`,
      timeoutMs: HEAL_LIMIT_MS,
    });
    // Past the startup restart backoff, with the creates' events settled.
    await sleep(3_000);
    const machineBusy = await machineBusyPercent(2_000);

    const pods = (await kube.pods(namespace)).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    const originalUid = new Map(pods.map((pod) => [pod.metadata.name, pod.metadata.uid]));
    const vanished = pods.slice(0, VANISHED).map((pod) => pod.metadata.name);
    const failed = pods.slice(VANISHED, VANISHED + FAILED).map((pod) => pod.metadata.name);
    const affected = new Set([...vanished, ...failed]);
    const disruptedAt = new Map<string, number>();
    const runningAgainAt = new Map<string, number>();
    const watching = new AbortController();
    await watchPods(kube.url, namespace, watching.signal, (event) => {
      const pod = event.object as KubePod;
      const name = pod.metadata?.name;
      if (name === undefined || !affected.has(name) || runningAgainAt.has(name)) return;
      if (event.type !== 'DELETED' && pod.metadata.uid !== originalUid.get(name) && runningAndReady(pod))
        runningAgainAt.set(name, performance.now());
    });
    const callsBefore = (await running.kubeCalls()).length;
    const base = `/api/v1/namespaces/${namespace}/pods`;
    const t0 = performance.now();
    await Promise.all([
      ...vanished.map(async (name) => {
        disruptedAt.set(name, performance.now());
        await kubeRequest(kube.url, 'DELETE', `${base}/${name}?gracePeriodSeconds=0`);
      }),
      ...failed.map(async (name) => {
        disruptedAt.set(name, performance.now());
        await kubeRequest(kube.url, 'PATCH', `${base}/${name}/status`, {
          status: {
            phase: 'Failed',
            reason: 'Evicted',
            message: 'The node was low on resource: memory.',
            conditions: [{ type: 'Ready', status: 'False' }],
          },
        });
      }),
    ]);
    const disruptionMs = performance.now() - t0;
    await running.waitFor(() => runningAgainAt.size === affected.size, {
      what: 'every disrupted pod running again',
      timeoutMs: HEAL_LIMIT_MS,
    });
    // Anything more podsync sends after the last pod is back would be a needless replacement.
    await sleep(3_000);
    watching.abort();
    const calls = (await running.kubeCalls())
      .slice(callsBefore)
      .filter((call) => call.replicaId !== undefined && call.status < 300);
    const times = (group: string[]) =>
      group.map((name) => (runningAgainAt.get(name) ?? Number.NaN) - (disruptedAt.get(name) ?? Number.NaN));
    return {
      vanished: summariseLatencies(times(vanished)),
      failed: summariseLatencies(times(failed)),
      all: summariseLatencies(times([...affected])),
      allFromFirst: summariseLatencies([...affected].map((name) => (runningAgainAt.get(name) ?? Number.NaN) - t0)),
      disruptionMs,
      creates: calls.filter((call) => call.method === 'POST').length,
      deletes: calls.filter((call) => call.method === 'DELETE').length,
      machineBusyPercent: machineBusy,
    };
  } finally {
    await running.close();
    cluster = undefined;
  }
}

function procSample(pid: number): { rssMb: number; cpuTicks: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command's closing parenthesis: utime and stime are the 14th and 15th of the line.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    rssMb: Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]) / 1024,
    cpuTicks: Number(fields[11]) + Number(fields[12]),
  };
}

async function measureAtRest(replica: ReplicaProcess, pods: number, convergeSeconds: number): Promise<RestResult> {
  const pid = replica.pid;
  if (pid === undefined) throw new Error(`${replica.id} does not run`);
  const first = procSample(pid);
  let rssMaxMb = first.rssMb;
  let last = first;
  for (let second = 0; second < REST_SECONDS; second += 1) {
    await sleep(1_000);
    last = procSample(pid);
    rssMaxMb = Math.max(rssMaxMb, last.rssMb);
  }
  return {
    pods,
    seconds: REST_SECONDS,
    rssStartMb: first.rssMb,
    rssEndMb: last.rssMb,
    rssMaxMb,
    heapUsedEndMb: ((await replica.metric('nodejs_heap_size_used_bytes')) ?? Number.NaN) / 2 ** 20,
    cpuPercent: ((last.cpuTicks - first.cpuTicks) / CLK_TCK / REST_SECONDS) * 100,
    convergeSeconds,
  };
}

async function measureRest(): Promise<RestResult[]> {
  const running = await startCluster({
    replicas: 1,
    gateway: false,
    syncInterval: SYNC_INTERVAL,
    // A leader starting over a large fleet lists it before it answers ready.
    readyTimeoutMs: 120_000,
    env: { LOG_LEVEL: 'warn', PODSYNC_OPS_PER_SECOND: FLEET_OPS_PER_SECOND },
  });
  cluster = running;
  const sql = postgres(running.databaseUrl, { max: 1, onnotice: () => undefined });
  try {
    const replica = running.replicas[0];
    if (replica === undefined) throw new Error('no replica started');
    await running.waitFor(() => replica.isLeader(), { what: `${replica.id} leading` });
    await sleep(5_000);
    const results = [await measureAtRest(replica, 0, 0)];
    for (const size of FLEET_SIZES) {
      const have = (await sql<{ count: number }[]>`select count(*)::int as count from clients`)[0]?.count ?? 0;
      await sql`
        insert into clients (name, version, image, cpu, mem)
        select 'fleet-' || n, 1, 'registry.example.com/algo:1.0', '100m', '64Mi' from generate_series(${have + 1}::int, ${size}::int) as n`;
      await sql`
        insert into client_algorithms (client_id, algorithm, enabled)
        select id, 'VWAP', true from clients where id > ${have}`;
      // The startup round of the restarted leader creates the pods of the clients inserted behind its back.
      const started = performance.now();
      await replica.restart();
      await running.waitFor(() => replica.isLeader(), { what: `${replica.id} leading again`, timeoutMs: 30_000 });
      // Every pod on the wire is a few kB: ask seldom, not to load the machine being measured.
      await running.waitFor(
        async () => {
          await sleep(FLEET_POLL_MS);
          return (await running.kube.pods(running.namespace)).filter(runningAndReady).length === size;
        },
        { what: `${size} pods running`, timeoutMs: 600_000 },
      );
      const convergeSeconds = (performance.now() - started) / 1_000;
      // Let the round's writes and the events of its creates settle before the window opens.
      await sleep(15_000);
      results.push(await measureAtRest(replica, size, convergeSeconds));
    }
    return results;
  } finally {
    await sql.end();
    await running.close();
    cluster = undefined;
  }
}

function fixed(value: number, digits = 0): string {
  return value.toFixed(digits);
}

function markdown(commit: string, heal: HealResult | undefined, rest: RestResult[]): string {
  const machine = machineInfo('not measured');
  const lines = [
    `Commit ${commit}, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; ${machine.cores} × ${machine.cpuModel}, ` +
      `${machine.memoryGiB} GiB, Node ${machine.node}.`,
    '',
  ];
  if (heal !== undefined) {
    lines.push(
      `PODSYNC_OPS_PER_SECOND ${HEAL_OPS_PER_SECOND}.`,
      '',
      '| pods | p50 ms | p99 ms | max ms |',
      '| --- | ---: | ---: | ---: |',
      ...(
        [
          [`${VANISHED} deleted`, heal.vanished],
          [`${FAILED} Failed (Evicted)`, heal.failed],
          ['all 200', heal.all],
          ['all 200, from the first request', heal.allFromFirst],
        ] as const
      ).map(([label, summary]) => `| ${label} | ${fixed(summary.p50)} | ${fixed(summary.p99)} | ${fixed(summary.max)} |`),
      '',
      `Disruption requests sent over ${fixed(heal.disruptionMs)} ms; podsync sent ${heal.creates} creates and ${heal.deletes} deletes ` +
        `meanwhile; machine ${heal.machineBusyPercent}% busy before.`,
      '',
    );
  }
  lines.push(
    `| managed pods | startup round to all running s | RSS start / end / max MiB | heap used at end MiB | CPU % of one core over ${REST_SECONDS} s |`,
    '| ---: | ---: | ---: | ---: | ---: |',
    ...rest.map(
      (row) =>
        `| ${row.pods} | ${fixed(row.convergeSeconds, 1)} | ${fixed(row.rssStartMb)} / ${fixed(row.rssEndMb)} / ${fixed(row.rssMaxMb)} | ${fixed(row.heapUsedEndMb)} | ${fixed(row.cpuPercent, 2)} |`,
    ),
  );
  return lines.join('\n');
}

async function main(): Promise<void> {
  const commit = execSync('git rev-parse --short HEAD', { cwd: ROOT }).toString().trim();
  const cases = (process.env.BENCH_CASES ?? 'heal,rest').split(',');
  const heal = cases.includes('heal') ? await measureHeal() : undefined;
  const rest = cases.includes('rest') ? await measureRest() : [];
  process.stdout.write(`${markdown(commit, heal, rest)}\n${JSON.stringify({ commit, heal, rest })}\n`);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void (cluster?.close() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

main().then(
  () => process.exit(0),
  async (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    if (cluster !== undefined) process.stderr.write(`${cluster.dumpLogs().slice(-20_000)}\n`);
    await cluster?.close().catch(() => undefined);
    process.exit(1);
  },
);
