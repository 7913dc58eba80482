import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';
import { killOnExit } from './kill-on-exit';
import { waitUntil } from './wait-until';

/** A redis-server of the test's own, which it may kill and restart without touching the shared one. */
export interface OwnRedisServer {
  readonly url: string;
  /** The running server's process id; undefined while killed. */
  readonly pid: number | undefined;
  /** SIGKILL: connections drop at once, nothing is flushed. */
  kill(): Promise<void>;
  /** SIGSTOP: connections stay open but nothing answers, as with a hung server or a lost network. */
  pause(): void;
  resume(): void;
  /** Starts it again on the same port, empty (it keeps nothing on disk). */
  restart(): Promise<void>;
  /** Kills it if running and removes its directory; safe to call more than once. */
  close(): Promise<void>;
}

export async function startOwnRedisServer(): Promise<OwnRedisServer> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'podsync-redis-'));
  let current: ChildProcess | undefined = await spawnRedis(port, dir);

  const kill = async (): Promise<void> => {
    const running = current;
    current = undefined;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    // SIGKILL also ends a paused process.
    running.kill('SIGKILL');
    await exited;
  };

  return {
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return current?.pid;
    },
    kill,
    pause: () => current?.kill('SIGSTOP'),
    resume: () => current?.kill('SIGCONT'),
    async restart() {
      await kill();
      current = await spawnRedis(port, dir);
    },
    async close() {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function spawnRedis(port: number, dir: string): Promise<ChildProcess> {
  const child = killOnExit(
    spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
      stdio: 'ignore',
    }),
  );
  try {
    await waitUntil(() => accepts(port), `redis-server on port ${port} to accept connections`);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return child;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
