import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { freePort } from './free-port';
import { killOnExit } from './kill-on-exit';
import { waitUntil } from './wait-until';

const run = promisify(execFile);
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

/**
 * A PostgreSQL server of the test's own, in a temp dir, which it may stop and start again on the
 * same port and data: the shared server must never go down under other suites.
 */
export interface OwnPostgresServer {
  /** Connection string of the `postgres` database as the `postgres` superuser (trust auth). */
  readonly url: string;
  /** The postmaster's process id; undefined while stopped. */
  readonly pid: number | undefined;
  /** Fast shutdown (SIGINT): sessions are ended, as in a restart by an operator. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory. */
  start(): Promise<void>;
  /** Stops it if it runs and removes its files; safe to call more than once. */
  close(): Promise<void>;
}

/** The newest PostgreSQL in Debian's layout, or `PG_BIN` when set. */
function postgresBin(): string {
  const fromEnv = process.env.PG_BIN;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((name) => /^\d+$/.test(name))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const [newest] = versions;
  if (newest === undefined) throw new Error(`no PostgreSQL under ${root}; set PG_BIN to the directory of initdb and postgres`);
  return join(root, newest, 'bin');
}

/** initdb and postgres refuse to run as root: then they run as the `postgres` user. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string): number => {
    try {
      return Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    } catch (error) {
      throw new Error('running as root, the test PostgreSQL needs a `postgres` user to run as (PostgreSQL refuses root)', {
        cause: error,
      });
    }
  };
  return { uid: id('-u'), gid: id('-g') };
}

export async function startOwnPostgresServer(): Promise<OwnPostgresServer> {
  const bin = postgresBin();
  const user = serverUser();
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'podsync-postgres-'));
  const dataDir = join(dir, 'data');
  if (user !== undefined) chownSync(dir, user.uid, user.gid);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let current: ChildProcess | undefined;
  let log = '';

  const start = async (): Promise<void> => {
    if (current !== undefined) throw new Error('the test PostgreSQL already runs');
    log = '';
    const child = killOnExit(
      spawn(
        join(bin, 'postgres'),
        [
          ['-D', dataDir],
          ['-p', String(port)],
          ['-k', dir],
          ['-c', 'listen_addresses=127.0.0.1'],
          // A test database: durability buys nothing and costs seconds on a busy disk.
          ['-c', 'fsync=off'],
          ['-c', 'synchronous_commit=off'],
          ['-c', 'full_page_writes=off'],
        ].flat(),
        { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], ...user },
      ),
    );
    current = child;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      log = (log + chunk).slice(-4_000);
    });
    try {
      await waitUntil(
        async () => {
          if (child.exitCode !== null || child.signalCode !== null) throw new Error(`postgres exited:\n${log}`);
          return answers(url);
        },
        `the test PostgreSQL on port ${port} to accept queries`,
        READY_TIMEOUT_MS,
        100,
      );
    } catch (error) {
      current = undefined;
      await terminate(child, 'SIGKILL');
      throw error;
    }
  };

  const stop = async (): Promise<void> => {
    const running = current;
    current = undefined;
    if (running !== undefined) await terminate(running, 'SIGINT');
  };

  try {
    await run(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], {
      cwd: dir,
      ...user,
    });
    await start();
  } catch (error) {
    await stop();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    url,
    get pid() {
      return current?.pid;
    },
    stop,
    start,
    async close() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function answers(url: string): Promise<boolean> {
  const probe = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => undefined });
  try {
    await probe`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await probe.end({ timeout: 1 });
  }
}

/** Sends `signal`, and SIGKILL if the server has not exited within the stop timeout. */
function terminate(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}
