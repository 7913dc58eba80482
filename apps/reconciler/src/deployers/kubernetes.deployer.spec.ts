import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DeployerError, WatchExpiredError, type PodChange, type PodToRun } from '@podsync/domain';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { kubeConfigFor, startKubeApiServer, type KubeApiServer } from '../../../../test/support/kube-api-server';
import { HeldLease } from '../leader/held-lease';
import { systemClock } from '../leader/leader-clock';
import { type Lease, LeaseLostError } from '../leader/leader-elector';
import { LeaseValidity } from '../leader/lease-validity';
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

/** A lease of `epoch` valid for `validForMs` from now, on the real clock. */
function leaseOf(epoch: number, validForMs = Infinity): HeldLease {
  return new HeldLease(epoch, new Date(), new LeaseValidity(systemClock, systemClock.monotonicMs() + validForMs));
}

/**
 * A lease that holds for its first `checks` validity checks, then is lost: it finds out whether
 * every check on a request's way out refuses it, the last one included.
 */
function leaseLostAfter(epoch: number, checks: number): Lease {
  const lease = leaseOf(epoch);
  let left = checks;
  const check = (): boolean => {
    left -= 1;
    if (left < 0) lease.revoke(new LeaseLostError('expired'));
    return lease.isValid();
  };
  return {
    epoch,
    since: lease.since,
    signal: lease.signal,
    isValid: check,
    assertValid: () => {
      if (!check()) throw new LeaseLostError('expired');
    },
    remainingMs: () => lease.remainingMs(),
  };
}

const RUNNING = { phase: 'Running', ready: true, restarts: 0, reason: null, message: null, node: 'kube-node-1' };
const PENDING = { phase: 'Pending', ready: false, restarts: 0, reason: null, message: null, node: null };

function managedLabels(clientId: number, algorithm: string): Record<string, string> {
  return { [MANAGED_BY_LABEL]: 'podsync', [CLIENT_ID_LABEL]: String(clientId), [ALGORITHM_LABEL]: algorithm };
}

describe(KubernetesDeployer.name, () => {
  let server: KubeApiServer;
  let lease: Lease | undefined;
  let deployer: KubernetesDeployer;
  const deployers: KubernetesDeployer[] = [];

  const newDeployer = async (
    options: { pageSize?: number; watchTimeoutSeconds?: number; currentLease?: () => Lease | undefined } = {},
  ): Promise<KubernetesDeployer> => {
    const made = new KubernetesDeployer(await kubeConfigFor(server.url), {
      namespace: NAMESPACE,
      replicaId: 'replica-a',
      currentLease: () => lease,
      ...options,
    });
    deployers.push(made);
    return made;
  };

  // A server of its own per test: an empty cluster, an empty call log, no failure left armed.
  // Pods stay Pending and a delete removes them at once unless a test starts the kubelet.
  beforeEach(async () => {
    server = await startKubeApiServer({ kubelet: false });
    lease = leaseOf(4);
    deployer = await newDeployer();
  });

  afterEach(async () => {
    await Promise.all(deployers.splice(0).map((made) => made.close()));
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

    expect(await deployer.list(live())).toEqual({
      pods: [
        { name: 'hft-2', clientId: 2, algorithm: 'HFT', specHash: 'hash-2', epoch: 9, health: PENDING },
        { name: 'vwap-1', clientId: 1, algorithm: 'VWAP', specHash: 'hash-1', epoch: 4, health: PENDING },
      ],
      version: server.resourceVersion(),
    });
  });

  it('lists with the managed-by selector over several pages, following continue tokens', async () => {
    for (let clientId = 1; clientId <= 7; clientId++) await deployer.create(podToRun(clientId), live());
    server.addPod(NAMESPACE, { metadata: { name: 'someone-else' }, spec: { containers: [{ name: 'app', image: 'nginx' }] } });
    server.calls.length = 0;

    const { pods } = await (await newDeployer({ pageSize: 3 })).list(live());

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
      currentLease: () => lease,
    });
    deployers.push(unreachable);

    const failing = unreachable.list(live());

    await expect(failing).rejects.toBeInstanceOf(DeployerError);
    await expect(failing).rejects.toMatchObject({ terminal: false, status: undefined });
  });

  it('names its replica and the current epoch on every request', async () => {
    await deployer.create(podToRun(1), live());
    lease = leaseOf(5);
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
    // Each request reads the lease four times; the fifth read is the second request's first, after its signal check.
    const paged = await newDeployer({
      pageSize: 2,
      currentLease: () => {
        requests += 1;
        if (requests === 5) controller.abort(reason);
        return lease;
      },
    });

    await expect(paged.list(controller.signal)).rejects.toBe(reason);
    expect(server.calls.map((call) => call.query.continue)).toEqual([undefined]);
  });

  describe('under a lease', () => {
    it('sends nothing without a lease, or with one that has lapsed, and rejects with LeaseLostError', async () => {
      lease = undefined;
      await expect(deployer.create(podToRun(1), live())).rejects.toMatchObject({ name: 'LeaseLostError', reason: 'not-leader' });
      lease = leaseOf(4, 0);
      await expect(deployer.delete('vwap-1', live())).rejects.toMatchObject({ name: 'LeaseLostError', reason: 'expired' });
      await expect(deployer.list(live())).rejects.toBeInstanceOf(LeaseLostError);
      const watching = deployer.watch('1', live())[Symbol.asyncIterator]().next();
      await expect(watching).rejects.toBeInstanceOf(LeaseLostError);

      expect(server.calls).toEqual([]);
    });

    it.each([0, 1, 2, 3])(
      'refuses a request whose lease is lost after %i of its checks, up to the one right before it is written',
      async (checks) => {
        lease = leaseLostAfter(4, checks);

        await expect(deployer.create(podToRun(1), live())).rejects.toBeInstanceOf(LeaseLostError);
        expect(server.calls).toEqual([]);
      },
    );

    it('refuses a watch whose lease is lost right before it is written', async () => {
      // The watch's checks: building the request, then the one at the socket.
      lease = leaseLostAfter(4, 1);

      await expect(deployer.watch('1', live())[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(LeaseLostError);
      expect(server.calls).toEqual([]);
    });

    it('aborts a request still unanswered when the validity of its lease ends', async () => {
      const silent = createServer(() => undefined);
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const { port } = silent.address() as AddressInfo;
      const stalled = new KubernetesDeployer(await kubeConfigFor(`http://127.0.0.1:${port}`), {
        namespace: NAMESPACE,
        replicaId: 'replica-a',
        currentLease: () => lease,
      });
      deployers.push(stalled);
      lease = leaseOf(4, 300);
      try {
        await expect(stalled.create(podToRun(1), live())).rejects.toMatchObject({ name: 'LeaseLostError', reason: 'expired' });
      } finally {
        silent.closeAllConnections();
        await new Promise((resolve) => silent.close(resolve));
      }
    });

    it('keeps its connections alive: a few for many requests, the watch included', async () => {
      for (let clientId = 1; clientId <= 20; clientId++) await deployer.create(podToRun(clientId), live());
      await deployer.list(live());
      const controller = new AbortController();
      const changes = deployer.watch(server.resourceVersion(), controller.signal)[Symbol.asyncIterator]();
      const next = changes.next();
      await deployer.delete('vwap-2', live());
      expect(await next).toMatchObject({ value: { type: 'deleted', pod: { name: 'vwap-2' } } });
      controller.abort(new Error('done'));
      await expect(changes.next()).rejects.toThrow('done');

      expect(server.calls).toHaveLength(23);
      // One pool: a request that follows another at once may find its socket not yet handed back and open a second.
      expect(server.connections()).toBeLessThanOrEqual(3);
    });
  });

  describe('watching', () => {
    /** Takes changes from `changes` until `count` of them (bookmarks left out unless asked for) have come. */
    const take = async (changes: AsyncIterator<PodChange>, count: number, bookmarks = false): Promise<PodChange[]> => {
      const taken: PodChange[] = [];
      while (taken.length < count) {
        const next = await changes.next();
        if (next.done === true) break;
        if (bookmarks || next.value.type !== 'bookmark') taken.push(next.value);
      }
      return taken;
    };

    it('reports what happens after a listing as PodChanges, from start to a graceful delete', async () => {
      await server.close();
      server = await startKubeApiServer({ kubelet: { startDelayMs: 20, stopDelayMs: 50 } });
      deployer = await newDeployer();
      await deployer.create(podToRun(1), live());
      await vi.waitFor(() => expect(server.pods(NAMESPACE)[0]?.status).toMatchObject({ phase: 'Running' }));
      const listing = await deployer.list(live());
      const controller = new AbortController();
      const changes = deployer.watch(listing.version, controller.signal)[Symbol.asyncIterator]();

      await deployer.create(podToRun(2, 'HFT'), live());
      const started = await take(changes, 2);
      server.patchStatus(NAMESPACE, 'vwap-1', {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'False' }],
        containerStatuses: [
          {
            name: 'vwap',
            ready: false,
            restartCount: 3,
            state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container' } },
          },
        ],
      });
      const crashing = await take(changes, 1);
      await deployer.delete('hft-2', live());
      const deleted = await take(changes, 2);
      controller.abort(new Error('done'));

      const byPod = (list: PodChange[]): Record<string, unknown>[] =>
        list.map((change) =>
          change.type === 'bookmark' ? change : { type: change.type, name: change.pod.name, health: change.pod.health },
        );
      expect(listing.pods.map((pod) => pod.health)).toEqual([RUNNING]);
      expect(byPod(started)).toEqual([
        { type: 'added', name: 'hft-2', health: PENDING },
        { type: 'modified', name: 'hft-2', health: RUNNING },
      ]);
      expect(byPod(crashing)).toEqual([
        {
          type: 'modified',
          name: 'vwap-1',
          health: {
            phase: 'Running',
            ready: false,
            restarts: 3,
            reason: 'CrashLoopBackOff',
            message: 'back-off 40s restarting failed container',
            node: 'kube-node-1',
          },
        },
      ]);
      // Marked for deletion (deletionTimestamp set) and then gone: both are 'deleted'.
      expect(byPod(deleted).map((change) => [change.type, change.name])).toEqual([
        ['deleted', 'hft-2'],
        ['deleted', 'hft-2'],
      ]);
      const versions = [...started, ...crashing, ...deleted].map((change) => Number(change.version));
      expect(versions).toEqual([...versions].sort((a, b) => a - b));
      expect(versions[0]).toBeGreaterThan(Number(listing.version));
      const watch = server.calls.find((call) => call.query.watch !== undefined);
      expect(watch?.query).toMatchObject({
        labelSelector: 'app.kubernetes.io/managed-by=podsync',
        allowWatchBookmarks: 'true',
        resourceVersion: listing.version,
        timeoutSeconds: '300',
      });
    });

    it('passes bookmarks on, with the version they carry', async () => {
      await server.close();
      server = await startKubeApiServer({ kubelet: false, bookmarkIntervalMs: 20 });
      deployer = await newDeployer();
      const { version } = await deployer.list(live());
      const controller = new AbortController();

      const [bookmark] = await take(deployer.watch(version, controller.signal)[Symbol.asyncIterator](), 1, true);
      controller.abort(new Error('done'));

      expect(bookmark).toEqual({ type: 'bookmark', version });
    });

    it('ends normally when the server closes the watch at its timeout', async () => {
      const watching = await newDeployer({ watchTimeoutSeconds: 1 });
      const { version } = await watching.list(live());

      const seen: PodChange[] = [];
      for await (const change of watching.watch(version, live())) seen.push(change);

      expect(seen.filter((change) => change.type !== 'bookmark')).toEqual([]);
      expect(server.openWatches()).toBe(0);
    });

    it('throws WatchExpiredError for a version the server no longer holds, in the stream or as 410 Gone', async () => {
      await server.close();
      server = await startKubeApiServer({ kubelet: false, historySize: 2 });
      deployer = await newDeployer();
      const { version } = await deployer.list(live());
      for (let clientId = 1; clientId <= 3; clientId++) await deployer.create(podToRun(clientId), live());

      await expect(deployer.watch(version, live())[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(WatchExpiredError);
      server.failNext(410, 1, 'GET');
      await expect(deployer.watch(server.resourceVersion(), live())[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(
        WatchExpiredError,
      );
    });

    it('surfaces another failed watch as a DeployerError', async () => {
      server.failNext(403, 1, 'GET');

      const failing = deployer.watch('1', live())[Symbol.asyncIterator]().next();

      await expect(failing).rejects.toBeInstanceOf(DeployerError);
      await expect(failing).rejects.toMatchObject({ status: 403, terminal: true });
    });

    it('stops when its signal aborts, rejecting with the reason, and closes the stream', async () => {
      const controller = new AbortController();
      const reason = new Error('lease lost');
      const changes = deployer.watch(server.resourceVersion(), controller.signal)[Symbol.asyncIterator]();
      const next = changes.next();
      await vi.waitFor(() => expect(server.openWatches()).toBe(1));

      controller.abort(reason);

      await expect(next).rejects.toBe(reason);
      await vi.waitFor(() => expect(server.openWatches()).toBe(0));
    });
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
