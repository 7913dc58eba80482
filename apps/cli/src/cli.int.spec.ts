import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, SAMPLE_CLIENT, startGateway } from '../../../test/support/gateway-harness';
import { freePort } from '../../../test/support/free-port';
import { waitUntil } from '../../../test/support/wait-until';
import { runCliProcess, startCliProcess } from '../../../test/support/cli-process';

const ADMIN_TOKEN = 'cli-admin-token';
const READER_TOKEN = 'cli-reader-token';

describe('podsync CLI', () => {
  let gateway: RunningGateway;
  let env: Record<string, string>;
  const podsync = (...args: string[]) => runCliProcess(args, env);

  beforeAll(async () => {
    gateway = await startGateway({
      driver: 'postgres',
      app: 'standalone',
      env: { PODSYNC_API_TOKENS: `${ADMIN_TOKEN}:admin,${READER_TOKEN}:reader` },
    });
    env = { PODSYNC_URL: gateway.url, PODSYNC_TOKEN: ADMIN_TOKEN };
  });
  afterAll(async () => {
    await gateway?.close();
  });

  async function createClient(name: string): Promise<number> {
    const created = await podsync(
      'clients',
      'create',
      '--name',
      name,
      '--version',
      String(SAMPLE_CLIENT.version),
      '--image',
      SAMPLE_CLIENT.image,
      '--cpu',
      SAMPLE_CLIENT.cpu,
      '--mem',
      SAMPLE_CLIENT.mem,
      '-o',
      'json',
    );
    expect(created).toMatchObject({ code: 0, stderr: '' });
    return (JSON.parse(created.stdout) as { id: number }).id;
  }

  describe('output', () => {
    it('lists clients as an aligned table for people, without colour off a terminal', async () => {
      const id = await createClient('table-client');
      const listed = await podsync('clients', 'ls');
      expect(listed.code).toBe(0);
      const lines = listed.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^ID\s+NAME\s+VERSION\s+IMAGE\s+CPU\s+MEM\s+PRIORITY\s+RESTART$/);
      const row = lines.find((line) => line.startsWith(`${id} `));
      expect(row).toBeDefined();
      // Aligned: every column starts where its header does.
      expect(row?.indexOf('table-client')).toBe(lines[0]?.indexOf('NAME'));
      expect(listed.stdout).not.toContain('\x1b[');
    });

    it('prints the API data as JSON or YAML for scripts', async () => {
      const id = await createClient('script-client');
      const json = await podsync('clients', 'get', String(id), '-o', 'json');
      expect(json.code).toBe(0);
      expect(JSON.parse(json.stdout)).toMatchObject({ id, name: 'script-client', algorithms: { VWAP: false } });
      const yaml = await podsync('clients', 'ls', '--limit', '500', '-o', 'yaml');
      expect(yaml.code).toBe(0);
      expect((load(yaml.stdout) as { items: { id: number }[] }).items.map((client) => client.id)).toContain(id);
    });
  });

  describe('exit codes', () => {
    it('exits 0 with help for every command, with examples', async () => {
      const help = await podsync('--help');
      expect(help.code).toBe(0);
      for (const command of ['clients', 'status', 'pods', 'cluster', 'plan', 'sync', 'pause', 'resume', 'ops', 'log-level']) {
        expect(help.stdout).toContain(command);
      }
      const statusHelp = await podsync('status', 'set', '--help');
      expect(statusHelp.code).toBe(0);
      expect(statusHelp.stdout).toContain('$ podsync status set 168317 VWAP=on TWAP=off');
    });

    it('exits 2 on bad usage, naming the problem', async () => {
      const cases: [string[], string][] = [
        [['launch'], "unknown command 'launch'"],
        [['clients', 'get', 'abc'], 'expected a positive whole number'],
        [['clients', 'create', '--name', 'x'], "required option '--version <n>' not specified"],
        [['status', 'set', '1', 'VWAP=maybe'], '"VWAP=maybe" is not ALGORITHM=on or ALGORITHM=off'],
        [['clients', 'ls', '-o', 'xml'], "option '-o, --output <format>' argument 'xml' is invalid"],
        [['log-level', 'loud'], "value 'loud' is invalid for argument 'level'"],
      ];
      for (const [args, message] of cases) {
        const run = await podsync(...args);
        expect({ args, code: run.code, stderr: run.stderr }).toMatchObject({
          args,
          code: 2,
          stderr: expect.stringContaining(message),
        });
      }
    });

    it('exits 1 with the API message when the API refuses', async () => {
      const missing = await podsync('clients', 'get', '999999');
      expect(missing).toMatchObject({ code: 1, stdout: '', stderr: 'podsync: client 999999 not found (HTTP 404)\n' });
      const invalid = await runCliProcess(['status', 'set', '1', 'VWAP=on'], { ...env, PODSYNC_TOKEN: READER_TOKEN });
      expect(invalid).toMatchObject({
        code: 1,
        stderr: 'podsync: this needs the writer role; the token has reader (HTTP 403)\n',
      });
      const wrongToken = await podsync('cluster', '--token', 'not-a-token');
      expect(wrongToken).toMatchObject({ code: 1, stderr: 'podsync: the bearer token is not valid (HTTP 401)\n' });
    });

    it('exits 1 saying which URL it could not reach', async () => {
      const url = `http://127.0.0.1:${await freePort()}`;
      const unreachable = await runCliProcess(['clients', 'ls'], { PODSYNC_URL: url });
      expect(unreachable.code).toBe(1);
      expect(unreachable.stderr).toContain(`podsync: cannot reach the gateway at ${url}: `);
      expect(unreachable.stderr).toContain('ECONNREFUSED');
    });
  });

  it('switches algorithms with status set, asking for a restart', async () => {
    const id = await createClient('status-client');
    const set = await podsync('status', 'set', String(id), 'vwap=on', 'TWAP=off', '--restart');
    expect(set).toMatchObject({ code: 0, stdout: 'status updated successfully\n', stderr: '' });
    const status = await gateway.request('GET', `/api/v1/status/${id}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(status.body.data).toMatchObject({ algorithms: { VWAP: true, TWAP: false } });
  });

  it('shows the cluster, the plan, and runs sync, pause, resume and log-level', async () => {
    const cluster = await podsync('cluster');
    expect(cluster.code).toBe(0);
    expect(cluster.stdout).toMatch(/^leader:\s+\S+/m);
    const plan = await podsync('plan');
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/pods running/);
    expect((await podsync('sync', '-o', 'json')).code).toBe(0);
    expect(JSON.parse((await podsync('pause', '-o', 'json')).stdout)).toEqual({ paused: true });
    expect(JSON.parse((await podsync('resume', '-o', 'json')).stdout)).toEqual({ paused: false });
    expect(await podsync('log-level', 'debug')).toMatchObject({ code: 0, stdout: 'log level set to debug\n' });
    expect((await podsync('log-level', 'warn')).code).toBe(0);
  });

  it('follows new operations with ops tail -f until interrupted, exiting 0', async () => {
    const id = await createClient('tail-client');
    const tail = startCliProcess(['ops', 'tail', '-f', '-n', '1', '--client', String(id)], env);
    await waitUntil(
      async () => /^podsync_event_stream_clients 1$/m.test((await gateway.request('GET', '/metrics')).text),
      'ops tail -f to open the event stream',
    );
    expect((await podsync('status', 'set', String(id), 'HFT=on')).code).toBe(0);
    await tail.printed(`hft-${id}`);
    const ended = await tail.interrupt();
    expect(ended.code).toBe(0);
    expect(ended.stdout).toMatch(new RegExp(`create\\s+hft-${id}\\s+client ${id}\\s+ok`));
  });

  describe('pods ls', () => {
    let stub: Server;
    let stubUrl: string;
    const requests: IncomingMessage[] = [];
    const pods = [
      {
        name: 'vwap-1',
        clientId: 1,
        algorithm: 'VWAP',
        phase: 'Running',
        ready: true,
        restarts: 0,
        reason: null,
        since: '2026-12-01T10:00:00.000Z',
      },
      {
        name: 'twap-2',
        clientId: 2,
        algorithm: 'TWAP',
        phase: 'Running',
        ready: false,
        restarts: 7,
        reason: 'CrashLoopBackOff',
        since: '2026-12-01T10:05:00.000Z',
      },
    ];

    // GET /api/v1/pods is another part of the API (DESIGN §3): a stand-in answers with its documented shape.
    beforeAll(async () => {
      stub = createServer((request, response) => {
        requests.push(request);
        const url = new URL(request.url ?? '/', 'http://stub');
        const items = url.searchParams.get('ready') === 'false' ? pods.filter((pod) => !pod.ready) : pods;
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ status: 'ok', data: { items, nextCursor: null } }));
      });
      await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
      stubUrl = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await new Promise((resolve) => stub.close(resolve));
    });

    it('lists pods with their health, and only the unhealthy ones with --unhealthy', async () => {
      const all = await runCliProcess(['pods', 'ls', '--url', stubUrl, '--token', READER_TOKEN]);
      expect(all.code).toBe(0);
      const lines = all.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^NAME\s+CLIENT\s+ALGORITHM\s+PHASE\s+READY\s+RESTARTS\s+REASON\s+SINCE$/);
      expect(lines[2]).toMatch(/^twap-2\s+2\s+TWAP\s+Running\s+no\s+7\s+CrashLoopBackOff\s+2026-12-01T10:05:00.000Z$/);

      const unhealthy = await runCliProcess(['pods', 'ls', '--unhealthy', '--client', '2', '-o', 'json', '--url', stubUrl]);
      expect(unhealthy.code).toBe(0);
      expect(JSON.parse(unhealthy.stdout)).toEqual({ items: [pods[1]], nextCursor: null });
      expect(requests.at(-1)?.url).toBe('/api/v1/pods?clientId=2&ready=false');
      expect(requests[0]?.headers.authorization).toBe(`Bearer ${READER_TOKEN}`);
    });
  });
});
