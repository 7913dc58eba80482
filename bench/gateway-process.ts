import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface GatewayOptions {
  entry: string;
  /** Given to node before the entry (e.g. a loader for the baseline server's TypeScript). */
  nodeArgs?: string[];
  /** The measured process's LOG_LEVEL: `warn` logs nothing per request, `info` a line per request as deployed. */
  logLevel: 'warn' | 'info';
  databaseUrl: string;
  /** Bearer token with the admin role, sent by every request of the benchmark. */
  token: string;
  /** Directory for per-phase CPU profiles; undefined runs the gateway without the profiler. */
  profileDir: string | undefined;
}

export interface GatewayProcess {
  baseUrl: string;
  pid: number;
  /** Runs `measure` with the gateway's CPU profiler on and returns the profile's path beside its result. */
  profiled<T>(phase: string, measure: () => Promise<T>): Promise<{ result: T; profilePath: string | undefined }>;
  /** Throws, with the end of the gateway's output, when it is no longer running. */
  assertRunning(): void;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;
const PROFILE_TIMEOUT_MS = 15_000;
const OUTPUT_TAIL_CHARS = 8_000;
/** Settings of the caller's shell that would point the gateway at other servers. */
const FOREIGN_SETTINGS = /^(PODSYNC_|PODSIM_|DATABASE_URL$|REDIS_URLS$|NATS_URL$|LOG_LEVEL$)/;

/** Starts the compiled gateway on a free loopback port and waits (bounded) until /api/ready answers 200. */
export async function startGateway(options: GatewayOptions): Promise<GatewayProcess> {
  const port = await freeLoopbackPort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const profiling = options.profileDir !== undefined;
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !FOREIGN_SETTINGS.test(key)));
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), ...(profiling ? ['--import', join(__dirname, 'cpu-profiler.mjs')] : []), options.entry],
    {
      // Not the repository root, so that a developer's .env there does not reach the measured process.
      cwd: tmpdir(),
      env: {
        ...env,
        DATABASE_URL: options.databaseUrl,
        PODSYNC_HTTP_PORT: String(port),
        PODSYNC_API_TOKENS: `${options.token}:admin`,
        LOG_LEVEL: options.logLevel,
      },
      // The IPC channel carries the profiler's start and stop commands.
      stdio: ['ignore', 'pipe', 'pipe', ...(profiling ? (['ipc'] as const) : [])],
    },
  );
  let output = '';
  const keepTail = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on('data', keepTail);
  child.stderr?.on('data', keepTail);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pid = child.pid;
  if (pid === undefined) throw new Error('the gateway did not start');

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    if (await settlesWithin(exited, STOP_TIMEOUT_MS)) return;
    child.kill('SIGKILL');
    await settlesWithin(exited, STOP_TIMEOUT_MS);
  };

  try {
    await waitUntilReady(baseUrl, child, () => output);
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    baseUrl,
    pid,
    stop,
    assertRunning() {
      if (child.exitCode === null && child.signalCode === null) return;
      throw new Error(`the gateway exited (${child.exitCode ?? child.signalCode}) during the run:\n${output}`);
    },
    async profiled(phase, measure) {
      if (options.profileDir === undefined) return { result: await measure(), profilePath: undefined };
      const profilePath = join(options.profileDir, `${phase}.cpuprofile`);
      await profilerCommand(child, { profile: 'start' }, 'started');
      const result = await measure();
      await profilerCommand(child, { profile: 'stop', path: profilePath }, 'written');
      return { result, profilePath };
    },
  };
}

async function waitUntilReady(baseUrl: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the gateway exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output()}`);
    }
    try {
      const response = await fetch(`${baseUrl}/api/ready`, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await sleep(200);
  }
  throw new Error(`the gateway was not ready within ${READY_TIMEOUT_MS / 1000} s:\n${output()}`);
}

/** Sends a command to bench/cpu-profiler.mjs in the gateway and waits (bounded) for its answer. */
function profilerCommand(child: ChildProcess, command: { profile: string; path?: string }, expected: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => finish(new Error(`the gateway's profiler did not answer ${command.profile} within ${PROFILE_TIMEOUT_MS / 1000} s`)),
      PROFILE_TIMEOUT_MS,
    );
    const onMessage = (message: unknown): void => {
      if (typeof message !== 'object' || message === null || !('profile' in message)) return;
      if (message.profile === expected) finish(undefined);
      else if (message.profile === 'failed')
        finish(new Error(`the gateway's profiler failed: ${'error' in message ? String(message.error) : 'no reason given'}`));
    };
    const finish = (error: Error | undefined): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      if (error === undefined) resolve();
      else reject(error);
    };
    child.on('message', onMessage);
    child.send(command);
  });
}

async function settlesWithin(promise: Promise<void>, timeoutMs: number): Promise<boolean> {
  // Unreferenced, so that a pending timeout does not keep the benchmark alive once everything stopped.
  const timeout = sleep(timeoutMs, undefined, { ref: false }).then(() => false);
  return Promise.race([promise.then(() => true), timeout]);
}

async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no free loopback port');
  return address.port;
}
