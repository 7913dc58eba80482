import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeployerError, type PodToRun } from '@podsync/domain';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { kubeConfigFor, startKubeApiServer, type KubeApiServer } from '../../../../test/support/kube-api-server';
import {
  ALGORITHM_LABEL,
  CLIENT_ID_LABEL,
  EPOCH_ANNOTATION,
  KubernetesDeployer,
  MANAGED_BY_LABEL,
  SPEC_HASH_ANNOTATION,
  kubeConfigFromEnvironment,
} from './kubernetes.deployer';

const NAMESPACE = 'trading';

function podToRun(clientId: number, algorithm = 'VWAP', overrides: Partial<PodToRun> = {}): PodToRun {
  return {
    name: `${algorithm.toLowerCase()}-${clientId}`,
    clientId,
    algorithm,
    image: 'registry.example.com/algo:3.1',
    version: 3,
    cpu: '500m',
    mem: '256Mi',
    specHash: `hash-${clientId}`,
    epoch: 4,
    ...overrides,
  };
}

const live = (): AbortSignal => new AbortController().signal;

function managedLabels(clientId: number, algorithm: string): Record<string, string> {
  return { [MANAGED_BY_LABEL]: 'podsync', [CLIENT_ID_LABEL]: String(clientId), [ALGORITHM_LABEL]: algorithm };
}

describe(KubernetesDeployer.name, () => {
  let server: KubeApiServer;
  let epoch: number;
  let deployer: KubernetesDeployer;

  const newDeployer = async (pageSize?: number): Promise<KubernetesDeployer> =>
    new KubernetesDeployer(await kubeConfigFor(server.url), {
      namespace: NAMESPACE,
      replicaId: 'replica-a',
      currentEpoch: () => epoch,
      pageSize,
    });

  // A server of its own per test: an empty cluster, an empty call log, no failure left armed.
  beforeEach(async () => {
    server = await startKubeApiServer();
    epoch = 4;
    deployer = await newDeployer();
  });

  afterEach(async () => {
    await server.close();
  });

  it('creates a pod labelled and annotated for podsync, with its image and resources', async () => {
    await deployer.create(podToRun(168317), live());

    const [pod] = server.pods(NAMESPACE);
    expect(pod?.metadata).toMatchObject({
      name: 'vwap-168317',
      namespace: NAMESPACE,
      labels: { [MANAGED_BY_LABEL]: 'podsync', [CLIENT_ID_LABEL]: '168317', [ALGORITHM_LABEL]: 'VWAP' },
      annotations: { [SPEC_HASH_ANNOTATION]: 'hash-168317', [EPOCH_ANNOTATION]: '4' },
    });
    expect(pod?.spec).toMatchObject({
      containers: [
        {
          name: 'vwap',
          image: 'registry.example.com/algo:3.1',
          resources: { requests: { cpu: '500m', memory: '256Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
          env: expect.arrayContaining([{ name: 'PODSYNC_CLIENT_ID', value: '168317' }]),
        },
      ],
    });
    expect(server.calls).toEqual([
      expect.objectContaining({ method: 'POST', path: `/api/v1/namespaces/${NAMESPACE}/pods`, pod: 'vwap-168317', status: 201 }),
    ]);
  });

  it('lists the pods it created, read back from their labels and annotations', async () => {
    await deployer.create(podToRun(1, 'VWAP'), live());
    await deployer.create(podToRun(2, 'HFT', { epoch: 9 }), live());

    expect((await deployer.list(live())).pods).toEqual([
      { name: 'hft-2', clientId: 2, algorithm: 'HFT', specHash: 'hash-2', epoch: 9, health: expect.any(Object) },
      { name: 'vwap-1', clientId: 1, algorithm: 'VWAP', specHash: 'hash-1', epoch: 4, health: expect.any(Object) },
    ]);
  });

  it('lists with the managed-by selector over several pages, following continue tokens', async () => {
    for (let clientId = 1; clientId <= 7; clientId++) await deployer.create(podToRun(clientId), live());
    server.addPod(NAMESPACE, { metadata: { name: 'someone-else' }, spec: { containers: [{ name: 'app', image: 'nginx' }] } });
    server.calls.length = 0;

    const { pods } = await (await newDeployer(3)).list(live());

    expect(pods.map((pod) => pod.clientId).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const lists = server.calls.filter((call) => call.method === 'GET');
    expect(lists).toHaveLength(3);
    for (const call of lists)
      expect(call.query).toMatchObject({ labelSelector: 'app.kubernetes.io/managed-by=podsync', limit: '3' });
    expect(lists[0]?.query.continue).toBeUndefined();
    expect(lists[1]?.query.continue).toEqual(expect.any(String));
    expect(lists[2]?.query.continue).toEqual(expect.any(String));
    expect(lists[2]?.query.continue).not.toBe(lists[1]?.query.continue);
  });

  it('leaves out pods that are terminating or lack its labels', async () => {
    await deployer.create(podToRun(1), live());
    server.addPod(NAMESPACE, {
      metadata: {
        name: 'vwap-2',
        labels: managedLabels(2, 'VWAP'),
        annotations: { [SPEC_HASH_ANNOTATION]: 'h' },
        deletionTimestamp: new Date().toISOString(),
      },
    });
    server.addPod(NAMESPACE, { metadata: { name: 'stray', labels: { [MANAGED_BY_LABEL]: 'podsync' } } });

    expect((await deployer.list(live())).pods.map((pod) => pod.name)).toEqual(['vwap-1']);
  });

  it('treats creating an existing pod (409) as a success and leaves it as it was', async () => {
    await deployer.create(podToRun(1), live());
    await deployer.create(podToRun(1, 'VWAP', { specHash: 'other' }), live());

    expect(server.calls.map((call) => [call.method, call.status])).toEqual([
      ['POST', 201],
      ['POST', 409],
      ['GET', 200],
    ]);
    expect(server.pods(NAMESPACE).map((pod) => pod.metadata.annotations?.[SPEC_HASH_ANNOTATION])).toEqual(['hash-1']);
  });

  it('fails a create, retryably, while the pod of that name is still terminating', async () => {
    server.addPod(NAMESPACE, {
      metadata: { name: 'vwap-1', labels: managedLabels(1, 'VWAP'), deletionTimestamp: new Date().toISOString() },
    });

    const creating = deployer.create(podToRun(1), live());

    await expect(creating).rejects.toBeInstanceOf(DeployerError);
    await expect(creating).rejects.toMatchObject({ terminal: false, message: expect.stringMatching(/still terminating/) });
  });

  it('deletes a pod (200) and treats deleting a missing one (404) as a success', async () => {
    await deployer.create(podToRun(1), live());
    await deployer.delete('vwap-1', live());
    await deployer.delete('vwap-1', live());

    expect(server.pods(NAMESPACE)).toEqual([]);
    expect(server.calls.slice(1).map((call) => [call.method, call.path, call.status])).toEqual([
      ['DELETE', `/api/v1/namespaces/${NAMESPACE}/pods/vwap-1`, 200],
      ['DELETE', `/api/v1/namespaces/${NAMESPACE}/pods/vwap-1`, 404],
    ]);
  });

  it.each([
    [500, false],
    [503, false],
    [429, false],
    [401, false],
    [403, true],
    [400, true],
  ])('surfaces a %i answer as a DeployerError with terminal %s', async (status, terminal) => {
    server.failNext(status, 3);

    for (const call of [
      () => deployer.list(live()),
      () => deployer.create(podToRun(1), live()),
      () => deployer.delete('vwap-1', live()),
    ]) {
      const failing = call();
      await expect(failing).rejects.toBeInstanceOf(DeployerError);
      await expect(failing).rejects.toMatchObject({ status, terminal });
    }
    expect(server.pods(NAMESPACE)).toEqual([]);
  });

  it('surfaces a spec the API server refuses (422) as terminal, with the server message', async () => {
    const failing = deployer.create(podToRun(1, 'VWAP', { image: '' }), live());

    await expect(failing).rejects.toMatchObject({
      status: 422,
      terminal: true,
      message: expect.stringMatching(/spec\.containers\[0\]\.image: Required value/),
    });
  });

  it('surfaces an unreachable API server as a retryable DeployerError', async () => {
    const gone = await startKubeApiServer();
    await gone.close();
    const unreachable = new KubernetesDeployer(await kubeConfigFor(gone.url), {
      namespace: NAMESPACE,
      replicaId: 'replica-a',
      currentEpoch: () => 1,
    });

    const failing = unreachable.list(live());

    await expect(failing).rejects.toBeInstanceOf(DeployerError);
    await expect(failing).rejects.toMatchObject({ terminal: false, status: undefined });
  });

  it('names its replica and the current epoch on every request', async () => {
    await deployer.create(podToRun(1), live());
    epoch = 5;
    await deployer.list(live());
    await deployer.create(podToRun(1), live());
    await deployer.delete('vwap-1', live());

    expect(server.calls.map((call) => [call.method, call.replicaId, call.epoch])).toEqual([
      ['POST', 'replica-a', 4],
      ['GET', 'replica-a', 5],
      ['POST', 'replica-a', 5],
      ['GET', 'replica-a', 5],
      ['DELETE', 'replica-a', 5],
    ]);
  });

  it('sends nothing when its signal is already aborted, and rejects with the reason', async () => {
    const reason = new Error('lease lost');

    await expect(deployer.create(podToRun(1), AbortSignal.abort(reason))).rejects.toBe(reason);
    await expect(deployer.delete('vwap-1', AbortSignal.abort(reason))).rejects.toBe(reason);
    await expect(deployer.list(AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(server.calls).toEqual([]);
  });

  it('hands its signal to the request itself, so an abort stops a request already under way', async () => {
    for (let clientId = 1; clientId <= 4; clientId++) await deployer.create(podToRun(clientId), live());
    server.calls.length = 0;
    const controller = new AbortController();
    const reason = new Error('lease lost');
    let requests = 0;
    // The epoch is read while the second request is being built, after the check before it.
    const paged = new KubernetesDeployer(await kubeConfigFor(server.url), {
      namespace: NAMESPACE,
      replicaId: 'replica-a',
      pageSize: 2,
      currentEpoch: () => {
        requests += 1;
        if (requests === 2) controller.abort(reason);
        return epoch;
      },
    });

    await expect(paged.list(controller.signal)).rejects.toBe(reason);
    expect(server.calls.map((call) => call.query.continue)).toEqual([undefined]);
  });
});

describe(kubeConfigFromEnvironment.name, () => {
  let directory: string;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'podsync-kubeconfig-'));
  });

  afterEach(() => {
    vi.unstubAllEnvs();
    rmSync(directory, { recursive: true, force: true });
  });

  it('loads the in-cluster configuration when KUBERNETES_SERVICE_HOST is set', () => {
    vi.stubEnv('KUBERNETES_SERVICE_HOST', '10.96.0.1');
    vi.stubEnv('KUBERNETES_SERVICE_PORT', '443');

    expect(kubeConfigFromEnvironment().getCurrentCluster()?.server).toBe('https://10.96.0.1:443');
  });

  it('loads KUBECONFIG otherwise', async () => {
    const path = join(directory, 'config');
    writeFileSync(path, (await kubeConfigFor('http://127.0.0.1:6443')).exportConfig());
    vi.stubEnv('KUBERNETES_SERVICE_HOST', '');
    vi.stubEnv('KUBECONFIG', path);

    expect(kubeConfigFromEnvironment().getCurrentCluster()?.server).toBe('http://127.0.0.1:6443');
  });
});
