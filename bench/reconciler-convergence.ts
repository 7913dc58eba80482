import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';
import { track } from './reconciler-child';
import { peakRssMb } from './reconciler-case';

export interface ConvergenceSettings {
  root: string;
  /** The built one-process app's entry point. */
  entry: string;
  databaseUrl: string;
  /** Clients already in the database with every algorithm off; one change is made to each. */
  clientIds: readonly number[];
  changesPerSecond: number;
  /** How often the operations table is polled. */
  pollMs: number;
  /** The whole measurement, start-up included, is abandoned past this. */
  timeLimitMs: number;
}

export interface Percentiles {
  p50: number;
  p99: number;
  max: number;
}

export interface ConvergenceResult {
  changes: number;
  /** PUTs that did not answer 200. */
  failedWrites: number;
  /** Changes whose pod was seen running before the time limit. */
  converged: number;
  /** PUT sent → the app stamps the create operation finished (operations.finished_at): the pod runs. */
  toPodRunningMs: Percentiles;
  /** PUT sent → the operations row is seen by the poller: the pod is visible to a reader of the database. */
  toVisibleMs: Percentiles;
  /** PUT sent → its answer. */
  writeMs: Percentiles;
  /** Peak RSS of the one-process app at the end. */
  appPeakRssMb: number | undefined;
}

const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

/**
 * Runs the one-process app (apps/standalone, simulated deployer at 0 ms) against the bench
 * database, switches VWAP on for each client at a fixed rate, and times each change until the
 * create operation of its pod appears in the operations table.
 */
export async function measureConvergence(settings: ConvergenceSettings): Promise<ConvergenceResult> {
  const deadline = performance.now() + settings.timeLimitMs;
  const port = await freePort();
  const app = startApp(settings, port, await freePort());
  const watcher = postgres(settings.databaseUrl, { max: 1, onnotice: () => undefined, connect_timeout: 5 });
  try {
    await waitForReady(app, port, watcher, deadline);
    const seenAt = new Map<number, { finishedAtMs: number; seenAtMs: number }>();
    /** Clients whose change was sent and whose pod has not been seen yet. */
    const pending = new Set<number>();
    const polling = pollOperations(
      watcher,
      settings.pollMs,
      pending,
      seenAt,
      () => seenAt.size >= settings.clientIds.length || performance.now() > deadline,
    );
    const writes = await sendChanges(`http://127.0.0.1:${port}`, settings, pending, deadline);
    await polling;

    const toPodRunning: number[] = [];
    const toVisible: number[] = [];
    for (const write of writes) {
      const seen = seenAt.get(write.clientId);
      if (seen === undefined || !write.ok) continue;
      toPodRunning.push(seen.finishedAtMs - write.sentAtMs);
      toVisible.push(seen.seenAtMs - write.sentAtMs);
    }
    return {
      changes: writes.length,
      failedWrites: writes.filter((write) => !write.ok).length,
      converged: toVisible.length,
      toPodRunningMs: percentiles(toPodRunning),
      toVisibleMs: percentiles(toVisible),
      writeMs: percentiles(writes.map((write) => write.answeredInMs)),
      appPeakRssMb: app.pid === undefined ? undefined : peakRssMb(app.pid),
    };
  } finally {
    await watcher.end({ timeout: 5 });
    await stopApp(app);
  }
}

function startApp(settings: ConvergenceSettings, httpPort: number, metricsPort: number): ChildProcess {
  // The embedded leader and bus: the app is the whole cluster, as `npm start` runs it.
  const inherited = { ...process.env };
  for (const variable of ['REDIS_URLS', 'NATS_URL', 'PODSYNC_API_TOKENS']) delete inherited[variable];
  const app = spawn(process.execPath, [settings.entry], {
    cwd: settings.root,
    env: {
      ...inherited,
      DATABASE_URL: settings.databaseUrl,
      PODSYNC_HTTP_PORT: String(httpPort),
      PODSYNC_METRICS_PORT: String(metricsPort),
      PODSIM_LATENCY_MS: '0',
      PODSYNC_DEPLOYER: 'simulated',
      PODSYNC_REPLICA_ID: 'bench-standalone',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  app.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
  app.once('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM' && signal !== 'SIGKILL')
      process.stderr.write(`the app exited with ${code ?? signal}: ${stderr}\n`);
  });
  return track(app);
}

/** Ready to measure: the app answers /api/ready and its start-up round has finished. */
async function waitForReady(app: ChildProcess, port: number, watcher: postgres.Sql, deadline: number): Promise<void> {
  const readyBy = Math.min(deadline, performance.now() + READY_TIMEOUT_MS);
  while (performance.now() < readyBy) {
    if (app.exitCode !== null) throw new Error(`the app exited with ${app.exitCode} while starting`);
    const ready = await fetch(`http://127.0.0.1:${port}/api/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) {
      const [round] = await watcher<
        { finished: number }[]
      >`select count(*)::int as finished from sync_rounds where finished_at is not null`;
      if ((round?.finished ?? 0) > 0) return;
    }
    await sleep(100);
  }
  throw new Error(`the app was not ready with its start-up round finished within ${READY_TIMEOUT_MS} ms`);
}

interface Write {
  clientId: number;
  /** Wall-clock milliseconds, comparable with the app's timestamps on the same machine. */
  sentAtMs: number;
  answeredInMs: number;
  ok: boolean;
}

/** One PUT per client at a fixed rate (not waiting for the previous answer), until the deadline. */
async function sendChanges(
  baseUrl: string,
  settings: ConvergenceSettings,
  pending: Set<number>,
  deadline: number,
): Promise<Write[]> {
  const startedMs = performance.now();
  const sent: Array<Promise<Write>> = [];
  for (const [index, clientId] of settings.clientIds.entries()) {
    const dueMs = startedMs + (index * 1_000) / settings.changesPerSecond;
    if (dueMs > deadline) break;
    await sleep(Math.max(0, dueMs - performance.now()));
    pending.add(clientId);
    sent.push(putStatus(baseUrl, clientId));
  }
  return Promise.all(sent);
}

async function putStatus(baseUrl: string, clientId: number): Promise<Write> {
  const sentMs = performance.now();
  const sentAtMs = performance.timeOrigin + sentMs;
  const ok = await fetch(`${baseUrl}/api/v1/status/${clientId}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ VWAP: true }),
    signal: AbortSignal.timeout(10_000),
  }).then(
    async (response) => {
      await response.arrayBuffer();
      return response.status === 200;
    },
    () => false,
  );
  return { clientId, sentAtMs, answeredInMs: performance.now() - sentMs, ok };
}

/**
 * Every `pollMs`, looks up the create operations of the clients still pending: one query on the
 * operations (client_id, id) index. (Polling by ascending id would miss rows: concurrent
 * operations commit out of id order.)
 */
async function pollOperations(
  watcher: postgres.Sql,
  pollMs: number,
  pending: Set<number>,
  seenAt: Map<number, { finishedAtMs: number; seenAtMs: number }>,
  done: () => boolean,
): Promise<void> {
  while (!done()) {
    if (pending.size > 0) {
      const rows = await watcher<{ client_id: string; finished_ms: number }[]>`
        select client_id, min(extract(epoch from finished_at) * 1000)::float8 as finished_ms
        from operations where client_id = any(${[...pending]}::bigint[]) and kind = 'create' and result = 'ok'
        group by client_id`;
      const seenAtMs = performance.timeOrigin + performance.now();
      for (const row of rows) {
        const clientId = Number(row.client_id);
        pending.delete(clientId);
        seenAt.set(clientId, { finishedAtMs: Number(row.finished_ms), seenAtMs });
      }
    }
    await sleep(pollMs);
  }
}

async function stopApp(app: ChildProcess): Promise<void> {
  if (app.exitCode !== null || app.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => app.once('exit', () => resolve()));
  app.kill('SIGTERM');
  const stopped = await Promise.race([exited.then(() => true), sleep(STOP_TIMEOUT_MS).then(() => false)]);
  if (!stopped) {
    app.kill('SIGKILL');
    await exited;
  }
}

export function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (share: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)] ?? Number.NaN;
  return { p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? Number.NaN };
}

/** A loopback port free right now: the kernel picks one for a listener that closes at once. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
