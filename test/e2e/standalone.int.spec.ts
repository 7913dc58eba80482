import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, SAMPLE_CLIENT, startGateway } from '../support/gateway-harness';
import { PODSYNC_METRICS } from '../support/podsync-metrics';
import { waitUntil } from '../support/wait-until';

/**
 * The one-process story of `npm start`: gateway and reconciler together, the simulated deployer,
 * here on the real PostgreSQL. Waits are bounded; how fast podsync converges is measured in bench/.
 */
describe('gateway and reconciler in one process', () => {
  let app: RunningGateway;

  beforeAll(async () => {
    app = await startGateway({ driver: 'postgres', app: 'standalone', env: { PODSYNC_SYNC_INTERVAL: '5m' } });
  });
  afterAll(() => app?.close());

  const podsOf = async (id: number): Promise<string[]> =>
    (await app.request('GET', `/api/v1/clients/${id}`)).body.data.pods.map((pod: { name: string }) => pod.name);
  const operationsOf = async (id: number): Promise<Array<{ kind: string; pod: string; result: string; epoch: number }>> =>
    (await app.request('GET', `/api/v1/operations?clientId=${id}`)).body.data.items;
  const createClient = async (body: object = SAMPLE_CLIENT): Promise<number> =>
    (await app.request('POST', '/api/v1/clients', { json: body })).body.data.id;

  it('runs a pod once its algorithm is switched on, and records the operation', async () => {
    const id = await createClient();
    await app.request('PUT', `/api/v1/status/${id}`, { json: { VWAP: true, HFT: true } });
    await waitUntil(async () => (await podsOf(id)).length === 2, `pods of client ${id}`, 10_000, 50);
    expect(await podsOf(id)).toEqual([`hft-${id}`, `vwap-${id}`]);
    const operations = await operationsOf(id);
    expect(operations.map((operation) => `${operation.kind} ${operation.pod} ${operation.result}`).sort()).toEqual([
      `create hft-${id} ok`,
      `create vwap-${id} ok`,
    ]);
    expect(operations.every((operation) => operation.epoch >= 1)).toBe(true);
    const client = (await app.request('GET', `/api/v1/clients/${id}`)).body.data;
    expect(client.spawnedAt).not.toBeNull();
  });

  it('deletes the pod of an algorithm switched off, and every pod of a deleted client', async () => {
    const id = await createClient();
    await app.request('PUT', `/api/v1/status/${id}`, { json: { VWAP: true, TWAP: true } });
    await waitUntil(async () => (await podsOf(id)).length === 2, `two pods of client ${id}`, 10_000, 50);
    await app.request('PUT', `/api/v1/status/${id}`, { json: { TWAP: false } });
    await waitUntil(async () => (await podsOf(id)).length === 1, `TWAP pod of client ${id} deleted`, 10_000, 50);
    expect(await podsOf(id)).toEqual([`vwap-${id}`]);
    await app.request('DELETE', `/api/v1/clients/${id}`);
    await waitUntil(
      async () => (await operationsOf(id)).some((operation) => operation.kind === 'delete' && operation.pod === `vwap-${id}`),
      `vwap pod of deleted client ${id} deleted`,
      10_000,
      50,
    );
  });

  it('recreates the pods of an updated client, and each pod once on need_restart', async () => {
    const id = await createClient();
    await app.request('PUT', `/api/v1/status/${id}`, { json: { VWAP: true, TWAP: true } });
    await waitUntil(async () => (await podsOf(id)).length === 2, `pods of client ${id}`, 10_000, 50);

    await app.request('PUT', `/api/v1/clients/${id}`, { json: { ...SAMPLE_CLIENT, version: 2 } });
    const restarts = async () => (await operationsOf(id)).filter((operation) => operation.kind === 'restart');
    await waitUntil(async () => (await restarts()).length === 2, `restarts after the update of client ${id}`, 10_000, 50);

    await app.request('PUT', `/api/v1/status/${id}?need_restart=true`, { json: { VWAP: true } });
    await waitUntil(async () => (await restarts()).length === 4, `restarts asked for client ${id}`, 10_000, 50);
    await waitUntil(
      async () => (await app.request('GET', `/api/v1/status/${id}`)).body.data.needRestart === false,
      `needRestart of client ${id} cleared`,
      10_000,
      50,
    );
    const pods = (await restarts()).map((operation) => operation.pod).sort();
    expect(pods).toEqual([`twap-${id}`, `twap-${id}`, `vwap-${id}`, `vwap-${id}`]);
  });

  it('answers the cluster endpoints in process', async () => {
    const cluster = await app.request('GET', '/api/v1/cluster');
    expect(cluster.status).toBe(200);
    expect(cluster.body.data).toMatchObject({ leader: { epoch: expect.any(Number) }, paused: false, guarded: false });
    expect(cluster.body.data.replicas).toHaveLength(1);
    expect((await app.request('POST', '/api/v1/sync')).status).toBe(202);
    const plan = await app.request('GET', '/api/v1/sync/plan');
    expect(plan.body.data).toMatchObject({ operations: expect.any(Array), guarded: false, paused: false });
    const rounds = await app.request('GET', '/api/v1/sync/rounds?limit=5');
    expect(rounds.body.data.items.length).toBeGreaterThan(0);
    expect((await app.request('POST', '/api/v1/sync/pause')).body.data).toEqual({ paused: true });
    expect((await app.request('GET', '/api/v1/cluster')).body.data.paused).toBe(true);
    expect((await app.request('POST', '/api/v1/sync/resume')).body.data).toEqual({ paused: false });
  });

  it('exposes every podsync metric on /metrics once a round has run', async () => {
    await waitUntil(
      async () => (await app.request('GET', '/api/v1/sync/rounds?limit=1')).body.data.items.length > 0,
      'a round',
      10_000,
      50,
    );
    const metrics = (await app.request('GET', '/metrics')).text;
    for (const name of [...PODSYNC_METRICS, 'process_cpu_seconds_total', 'nodejs_heap_size_used_bytes']) {
      expect(metrics, name).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
    }
    expect(metrics).toMatch(/^podsync_leader 1$/m);
    expect(metrics).toMatch(/^podsync_outbox_backlog \d+$/m);
  });
});
