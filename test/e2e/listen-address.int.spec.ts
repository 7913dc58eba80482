import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port';
import { ManagedProcess } from '../support/managed-process';
import type { OutputLine } from '../support/process-output';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { waitUntil } from '../support/wait-until';

const REPO_ROOT = join(__dirname, '..', '..');
const STANDALONE_MAIN = join(REPO_ROOT, 'dist/apps/standalone/src/main.js');
const GATEWAY_MAIN = join(REPO_ROOT, 'dist/apps/gateway/src/main.js');
/** How long a process may take to answer its ready probe: the embedded database migrates first, slowly on a busy machine. */
const READY_TIMEOUT_MS = 60_000;
/** Each test starts one process: its ready time, and a little for the checks. */
const TEST_TIMEOUT_MS = READY_TIMEOUT_MS + 15_000;

/** This machine's first IPv4 address off the loopback, where a listener on 127.0.0.1 must not answer. */
function networkAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((entry) => entry !== undefined && !entry.internal && entry.family === 'IPv4')?.address;
}

/** Whether a TCP connection to `host:port` is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** The startup lines of `process`, once the first has been read from its output (it comes right after the listener opens). */
async function startupLines(process: ManagedProcess): Promise<OutputLine[]> {
  const lines = (): OutputLine[] => process.output.lines({ component: 'startup' });
  await waitUntil(() => lines().length > 0, `the startup line of ${process.name}`, 5_000, 20);
  return lines();
}

/**
 * `npm start` and the gateway as real processes: where they listen by default and when told
 * otherwise, and the one line each prints once it serves.
 */
describe('listen address and startup line', { timeout: TEST_TIMEOUT_MS }, () => {
  let tempDir: string;
  let database: TestDatabase;
  const started: ManagedProcess[] = [];

  beforeAll(async () => {
    if (!existsSync(STANDALONE_MAIN) || !existsSync(GATEWAY_MAIN)) {
      throw new Error(`these tests run the built apps: run \`npm run build\` first (${STANDALONE_MAIN} is missing)`);
    }
    tempDir = await mkdtemp(join(tmpdir(), 'podsync-listen-'));
    // The embedded database's server runs as another user when the tests run as root: let it in.
    await chmod(tempDir, 0o755);
    database = await createTestDatabase();
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((process) => process.kill('SIGKILL')));
  });
  afterAll(async () => {
    await database?.drop();
    if (tempDir !== undefined) await rm(tempDir, { recursive: true, force: true });
  });

  const start = async (name: string, script: string, port: number, env: Record<string, string>): Promise<ManagedProcess> => {
    const process = new ManagedProcess({
      name,
      args: [script],
      // Nothing inherited: a PODSYNC_API_TOKENS or DATABASE_URL of the caller must not change the test.
      env: { PATH: globalThis.process.env.PATH ?? '/usr/bin:/bin', LOG_LEVEL: 'info', ...env },
      cwd: tempDir,
      url: `http://127.0.0.1:${port}`,
      readyPath: '/api/ready',
      readyTimeoutMs: READY_TIMEOUT_MS,
      stopTimeoutMs: 10_000,
      logLines: 500,
    });
    started.push(process);
    await process.start();
    return process;
  };

  it('runs `npm start` without tokens on 127.0.0.1 only, and says so in one line', async () => {
    const port = await freePort();
    const dataDir = join(tempDir, 'data');
    const standalone = await start('standalone', STANDALONE_MAIN, port, {
      PODSYNC_HTTP_PORT: String(port),
      PODSYNC_DATA_DIR: dataDir,
    });

    const lines = await startupLines(standalone);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.json).toMatchObject({
      level: 'info',
      url: `http://127.0.0.1:${port}`,
      msg: `podsync listening on http://127.0.0.1:${port} — embedded database in ${dataDir}, in-process leader, in-process events, simulated pods, auth off`,
    });
    const address = networkAddress();
    // A machine with no address off the loopback has nothing to reach it by; the bound address above says the same.
    if (address !== undefined) expect(await accepts(address, port)).toBe(false);
    expect(await accepts('127.0.0.1', port)).toBe(true);
  });

  it('runs the gateway on the address PODSYNC_HTTP_HOST names, and says auth is on', async () => {
    const port = await freePort();
    const gateway = await start('gateway', GATEWAY_MAIN, port, {
      PODSYNC_HTTP_HOST: '0.0.0.0',
      PODSYNC_HTTP_PORT: String(port),
      DATABASE_URL: database.url,
      PODSYNC_API_TOKENS: 'listen-test-token:admin',
    });

    const lines = await startupLines(gateway);
    const { host, pathname } = new URL(database.url);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.json).toMatchObject({
      url: `http://0.0.0.0:${port}`,
      msg: `podsync gateway listening on http://0.0.0.0:${port} — PostgreSQL ${host}${pathname}, in-process events, auth on (1 token)`,
    });
    const address = networkAddress();
    if (address !== undefined) expect(await accepts(address, port)).toBe(true);
  });

  it('warns in its startup line when told to listen on every interface without tokens', async () => {
    const port = await freePort();
    const gateway = await start('gateway-open', GATEWAY_MAIN, port, {
      PODSYNC_HTTP_HOST: '0.0.0.0',
      PODSYNC_HTTP_PORT: String(port),
      DATABASE_URL: database.url,
    });

    expect((await startupLines(gateway)).map((line) => line.json?.msg)).toEqual([
      expect.stringMatching(/auth OFF on a network address: anyone who reaches it can change clients; set PODSYNC_API_TOKENS$/),
    ]);
  });
});
