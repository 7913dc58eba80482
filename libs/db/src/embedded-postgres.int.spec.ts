import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { killOnExit } from '../../../test/support/kill-on-exit';
import { waitUntil } from '../../../test/support/wait-until';
import { type Database, openDatabase } from './open-database';

const ROOT = join(__dirname, '..', '..', '..');
const HOLDER = join(ROOT, 'test', 'support', 'embedded-database-process.ts');

function postmasterPid(dataDir: string): number {
  return Number(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie (exited, not yet reaped by its new parent) is gone too.
  try {
    return !/^\S+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function clientNames(database: Database): Promise<string[]> {
  const rows = (await database.db.execute(sql`select name from clients order by id`)) as unknown as { name: string }[];
  return rows.map((row) => row.name);
}

/** Runs test/support/embedded-database-process.ts on `dataDir` until it prints `ready`. */
async function startHolder(dataDir: string, mode: 'hold' | 'exit'): Promise<ReturnType<typeof spawn>> {
  // tsx resolves from the working directory: the repository.
  const child = killOnExit(
    spawn(process.execPath, ['--import', 'tsx', HOLDER, dataDir, mode], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }),
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitUntil(
    () => {
      if (output.includes('ready')) return true;
      if (child.exitCode !== null) throw new Error(`the holder exited (${child.exitCode}):\n${output}`);
      return false;
    },
    'the holder process to commit its client',
    60_000,
    50,
  );
  return child;
}

describe('the embedded PostgreSQL', () => {
  let tempDir: string;
  let dataDir: string;
  const opened: Database[] = [];
  const open = (): Database => {
    const database = openDatabase({ url: undefined, dataDir });
    opened.push(database);
    return database;
  };

  beforeEach(() => {
    tempDir = mkdtempSync(join(tmpdir(), 'podsync-embedded-'));
    dataDir = tempDir;
  });

  afterEach(async () => {
    for (const database of opened.splice(0)) await database.close();
    rmSync(tempDir, { recursive: true, force: true });
  });

  it('keeps committed data across a restart, and its server stops with close()', async () => {
    const first = open();
    await first.migrate();
    await first.db.execute(
      sql`insert into clients (name, version, image, cpu, mem, priority) values ('kept', 1, 'registry.example.com/algo:1', '1', '1Gi', 0)`,
    );
    const server = postmasterPid(dataDir);
    await first.close();
    expect(running(server)).toBe(false);

    const second = open();
    await second.migrate();
    expect(await clientNames(second)).toEqual(['kept']);
  });

  it('starts over a postmaster.pid whose process is gone', async () => {
    const first = open();
    await first.migrate();
    const lockFile = join(dataDir, 'postgres', 'postmaster.pid');
    const lines = readFileSync(lockFile, 'utf8').split('\n');
    await first.close();
    // As a power cut would leave it: the file of a server that no longer runs.
    const exited = spawn('true');
    await new Promise((resolve) => exited.once('exit', resolve));
    writeFileSync(lockFile, [String(exited.pid), ...lines.slice(1)].join('\n'));

    const second = open();
    await second.migrate();
    await second.ping();
    expect(postmasterPid(dataDir)).not.toBe(exited.pid);
  });

  it('shuts down the server a killed process left running, and starts with its committed data', async () => {
    const holder = await startHolder(dataDir, 'hold');
    const leftover = postmasterPid(dataDir);
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.once('exit', resolve));
    // The server outlives the process that started it.
    expect(running(leftover)).toBe(true);

    const next = open();
    await next.migrate();
    expect(await clientNames(next)).toEqual(['committed']);
    expect(running(leftover)).toBe(false);
    expect(postmasterPid(dataDir)).not.toBe(leftover);
  });

  it('stops the server when its process exits without closing the database', async () => {
    const holder = await startHolder(dataDir, 'exit');
    await new Promise((resolve) => (holder.exitCode === null ? holder.once('exit', resolve) : resolve(undefined)));
    await waitUntil(() => !existsSync(join(dataDir, 'postgres', 'postmaster.pid')), 'the server to shut down', 30_000, 50);
  });

  it('serves a data directory too deep for a unix socket path inside it', async () => {
    dataDir = join(
      tempDir,
      'a-directory-name-of-fifty-characters-to-go-deeper-',
      'and-one-more-of-the-same-size-for-the-socket-path',
    );
    // Run as root, the server runs as `postgres`, which must reach the data directory through its parents.
    chmodSync(tempDir, 0o755);
    const database = open();
    await database.migrate();
    await database.ping();
  });

  it('refuses a second server on files whose server runs, and leaves that one serving', async () => {
    const first = open();
    await first.migrate();
    const second = open();
    await expect(second.migrate()).rejects.toThrow(`is in use by process ${process.pid}`);
    await first.ping();
  });
});
