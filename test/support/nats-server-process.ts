import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';
import { killOnExit } from './kill-on-exit';

const NATS_SERVER = '/usr/sbin/nats-server';
const READY_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;

/** A nats-server of one test's own, which the test may stop and start again on the same port and store. */
export interface NatsServerProcess {
  url: string;
  /** The running server's process id; undefined while stopped. */
  readonly pid: number | undefined;
  start(): Promise<void>;
  /** Graceful stop (SIGTERM): JetStream flushes its store, as in a rolling restart. */
  stop(): Promise<void>;
  /** Stops the server if it runs and removes its store. */
  dispose(): Promise<void>;
}

export async function startNatsServer(): Promise<NatsServerProcess> {
  const port = await freePort();
  const storeDir = mkdtempSync(join(tmpdir(), 'podsync-nats-'));
  let child: ChildProcess | undefined;

  const server: NatsServerProcess = {
    url: `nats://127.0.0.1:${port}`,
    get pid() {
      return child?.pid;
    },
    async start() {
      if (child !== undefined) throw new Error('the test nats-server already runs');
      const started = killOnExit(
        spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], {
          stdio: ['ignore', 'ignore', 'pipe'],
        }),
      );
      child = started;
      try {
        await waitUntilReady(started);
      } catch (error) {
        child = undefined;
        throw error;
      }
    },
    async stop() {
      const running = child;
      if (running === undefined) return;
      child = undefined;
      await terminate(running);
    },
    async dispose() {
      await server.stop();
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
  try {
    await server.start();
  } catch (error) {
    await server.dispose();
    throw error;
  }
  return server;
}

/** nats-server logs "Server is ready" on stderr once JetStream has restored its streams and clients may connect. */
function waitUntilReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(
      () => fail(new Error(`nats-server not ready within ${READY_TIMEOUT_MS} ms:\n${log}`)),
      READY_TIMEOUT_MS,
    );
    const onData = (chunk: Buffer): void => {
      log += chunk.toString();
      if (log.includes('Server is ready')) done();
    };
    const onExit = (code: number | null): void => fail(new Error(`nats-server exited with ${code}:\n${log}`));
    const cleanUp = (): void => {
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      child.off('error', fail);
      // Keep reading so a full pipe never blocks the server.
      child.stderr?.resume();
    };
    function done(): void {
      cleanUp();
      resolve();
    }
    function fail(error: Error): void {
      cleanUp();
      child.kill('SIGKILL');
      reject(error);
    }
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', fail);
  });
}

function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
