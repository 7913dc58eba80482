import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Cluster, startCluster } from '../support/cluster';
import { SAMPLE_CLIENT } from '../support/gateway-harness';

/**
 * DESIGN §7 cluster layer: the gateway and two replicas as processes, the test Kubernetes API
 * server as the cluster they share. Each change goes in through the gateway's HTTP API and is
 * checked where it lands: the pods on the API server, and the calls that put them there.
 */
describe('cluster mode: gateway and two replicas as processes', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({ replicas: 2, ttl: '2s' });
  });
  afterAll(() => cluster?.close());
  beforeEach(({ onTestFailed }) => onTestFailed(() => console.log(cluster.dumpLogs())));

  const podNames = async (): Promise<string[]> =>
    (await cluster.kube.pods(cluster.namespace)).map((pod) => pod.metadata.name).sort();
  const podsOf = async (id: number): Promise<string[]> => (await podNames()).filter((name) => name.endsWith(`-${id}`));
  const callsFor = async (pod: string) => (await cluster.kube.calls()).filter((call) => call.pod === pod && call.status < 300);
  const createClient = async (): Promise<number> =>
    (await cluster.gateway.request('POST', '/api/v1/clients', { json: SAMPLE_CLIENT })).body.data.id;
  const setStatus = (id: number, flags: object, query = '') =>
    cluster.gateway.request('PUT', `/api/v1/status/${id}${query}`, { json: flags });

  it('elects exactly one leader and lists both replicas', async () => {
    await cluster.waitFor(async () => (await cluster.gateway.request('GET', '/api/v1/cluster')).body.data.replicas.length === 2, {
      what: 'both replicas in /api/v1/cluster',
    });
    const view = (await cluster.gateway.request('GET', '/api/v1/cluster')).body.data;
    expect(view.leader).not.toBeNull();
    expect(view.replicas.filter((replica: { role: string }) => replica.role === 'leader')).toHaveLength(1);
    expect(view.replicas.map((replica: { replicaId: string }) => replica.replicaId).sort()).toEqual(
      cluster.replicas.map((replica) => replica.id).sort(),
    );
  });

  it('runs a pod when its algorithm is switched on, created by the leader with its epoch', async () => {
    const id = await createClient();
    await setStatus(id, { VWAP: true });
    await cluster.waitFor(async () => (await podsOf(id)).includes(`vwap-${id}`), { what: `vwap-${id} on the API server` });
    const leader = (await cluster.gateway.request('GET', '/api/v1/cluster')).body.data.leader;
    const creates = (await callsFor(`vwap-${id}`)).filter((call) => call.method === 'POST');
    expect(creates).toHaveLength(1);
    expect(creates[0]).toMatchObject({ replicaId: leader.replicaId, epoch: leader.epoch });
    const pod = (await cluster.kube.pods(cluster.namespace)).find((candidate) => candidate.metadata.name === `vwap-${id}`);
    expect(pod?.metadata.labels).toMatchObject({
      'app.kubernetes.io/managed-by': 'podsync',
      'podsync/client-id': String(id),
      'podsync/algorithm': 'VWAP',
    });
    expect(pod?.metadata.annotations?.['podsync/epoch']).toBe(String(leader.epoch));
    await cluster.waitFor(
      async () => (await cluster.gateway.request('GET', `/api/v1/clients/${id}`)).body.data.pods.length === 1,
      {
        what: `GET /api/v1/clients/${id} listing its pod`,
      },
    );
  });

  it('deletes every pod of a deleted client', async () => {
    const id = await createClient();
    await setStatus(id, { VWAP: true, TWAP: true });
    await cluster.waitFor(async () => (await podsOf(id)).length === 2, { what: `two pods of client ${id}` });
    expect((await cluster.gateway.request('DELETE', `/api/v1/clients/${id}`)).status).toBe(204);
    await cluster.waitFor(async () => (await podsOf(id)).length === 0, { what: `the pods of deleted client ${id} gone` });
  });

  it('recreates the pods of an updated client', async () => {
    const id = await createClient();
    await setStatus(id, { HFT: true });
    await cluster.waitFor(async () => (await podsOf(id)).length === 1, { what: `hft-${id}` });
    const before = (await cluster.kube.pods(cluster.namespace)).find((pod) => pod.metadata.name === `hft-${id}`);
    await cluster.gateway.request('PUT', `/api/v1/clients/${id}`, {
      json: { ...SAMPLE_CLIENT, image: 'registry.example.com/algo:2.0' },
    });
    await cluster.waitFor(
      async () => {
        const pod = (await cluster.kube.pods(cluster.namespace)).find((candidate) => candidate.metadata.name === `hft-${id}`);
        return pod !== undefined && pod.metadata.uid !== before?.metadata.uid;
      },
      { what: `hft-${id} recreated after the update` },
    );
    const pod = (await cluster.kube.pods(cluster.namespace)).find((candidate) => candidate.metadata.name === `hft-${id}`);
    expect(pod?.spec).toMatchObject({ containers: [{ image: 'registry.example.com/algo:2.0' }] });
  });

  it('recreates each running pod once on need_restart, then clears the flag', async () => {
    const id = await createClient();
    await setStatus(id, { VWAP: true, TWAP: true });
    await cluster.waitFor(async () => (await podsOf(id)).length === 2, { what: `two pods of client ${id}` });
    await setStatus(id, { VWAP: true }, '?need_restart=true');
    await cluster.waitFor(
      async () => (await cluster.gateway.request('GET', `/api/v1/status/${id}`)).body.data.needRestart === false,
      {
        what: `needRestart of client ${id} cleared`,
      },
    );
    for (const pod of [`twap-${id}`, `vwap-${id}`]) {
      const calls = await callsFor(pod);
      expect(calls.map((call) => call.method)).toEqual(['POST', 'DELETE', 'POST']);
    }
    const restarts = (await cluster.gateway.request('GET', `/api/v1/operations?clientId=${id}`)).body.data.items.filter(
      (operation: { kind: string }) => operation.kind === 'restart',
    );
    expect(restarts).toHaveLength(2);
  });
});
