import { DeployerError, type PodChange, type PodToRun, WatchExpiredError } from '@podsync/domain';
import { describe, expect, it } from 'vitest';
import { SimulatedDeployer } from './simulated.deployer';

const vwap: PodToRun = {
  name: 'vwap-1',
  clientId: 1,
  algorithm: 'VWAP',
  image: 'registry.example.com/algo:1',
  version: 1,
  cpu: '500m',
  mem: '256Mi',
  specHash: 'hash-1',
  epoch: 7,
};

const live = (): AbortSignal => new AbortController().signal;

/** A random source that hands out `values` in turn. */
function sequence(...values: number[]): () => number {
  let next = 0;
  return () => {
    const value = values[next++];
    if (value === undefined) throw new Error('the test ran out of random numbers');
    return value;
  };
}

describe(SimulatedDeployer.name, () => {
  it('starts empty', async () => {
    expect(await new SimulatedDeployer().list(live())).toEqual({ pods: [], version: '0' });
  });

  it('lists a created pod with what the leader stored on it', async () => {
    const deployer = new SimulatedDeployer();
    await deployer.create(vwap, live());
    expect(await deployer.list(live())).toEqual({
      pods: [
        {
          name: 'vwap-1',
          clientId: 1,
          algorithm: 'VWAP',
          specHash: 'hash-1',
          epoch: 7,
          health: { phase: 'Running', ready: true, restarts: 0, reason: null, message: null, node: 'simulated-node' },
        },
      ],
      version: '1',
    });
  });

  it('treats creating an existing pod as a success and keeps the first one', async () => {
    const deployer = new SimulatedDeployer();
    await deployer.create(vwap, live());
    await deployer.create({ ...vwap, specHash: 'hash-2', epoch: 8 }, live());
    expect((await deployer.list(live())).pods).toEqual([expect.objectContaining({ specHash: 'hash-1', epoch: 7 })]);
  });

  it('deletes a pod, and treats deleting a missing pod as a success', async () => {
    const deployer = new SimulatedDeployer();
    await deployer.create(vwap, live());
    await deployer.delete('vwap-1', live());
    await deployer.delete('vwap-1', live());
    expect((await deployer.list(live())).pods).toEqual([]);
  });

  it('hands out copies, so a caller cannot change its pods', async () => {
    const deployer = new SimulatedDeployer();
    await deployer.create(vwap, live());
    const [listed] = (await deployer.list(live())).pods;
    if (listed) {
      listed.specHash = 'changed';
      listed.health.phase = 'Failed';
    }
    expect((await deployer.list(live())).pods).toEqual([expect.objectContaining({ specHash: 'hash-1' })]);
  });

  it('fails a call when the random source falls under the failure rate, with a retryable error and no change', async () => {
    const deployer = new SimulatedDeployer({ failureRate: 0.5, random: sequence(0.49, 0.5, 0.2, 0.9, 0.7) });
    const failed = deployer.create(vwap, live());
    await expect(failed).rejects.toBeInstanceOf(DeployerError);
    await expect(failed).rejects.toMatchObject({ terminal: false, message: 'simulated failure: create pod vwap-1' });
    expect((await deployer.list(live())).pods).toEqual([]);
    await expect(deployer.list(live())).rejects.toMatchObject({ message: 'simulated failure: list pods' });
    await deployer.create(vwap, live());
    expect((await deployer.list(live())).pods).toHaveLength(1);
  });

  it('never fails with the default rate of zero', async () => {
    const deployer = new SimulatedDeployer({ random: () => 0 });
    await deployer.create(vwap, live());
    expect((await deployer.list(live())).pods).toHaveLength(1);
  });

  it('rejects a call whose signal is already aborted, with its reason, and changes nothing', async () => {
    const deployer = new SimulatedDeployer();
    await deployer.create(vwap, live());
    const reason = new Error('lease lost');
    await expect(deployer.create({ ...vwap, name: 'twap-1' }, AbortSignal.abort(reason))).rejects.toBe(reason);
    await expect(deployer.delete('vwap-1', AbortSignal.abort(reason))).rejects.toBe(reason);
    await expect(deployer.list(AbortSignal.abort(reason))).rejects.toBe(reason);
    expect((await deployer.list(live())).pods.map((pod) => pod.name)).toEqual(['vwap-1']);
  });

  it('rejects a call aborted during its latency and changes nothing', async () => {
    const deployer = new SimulatedDeployer({ latencyMs: 20 });
    const controller = new AbortController();
    const reason = new Error('lease lost');
    const creating = deployer.create(vwap, controller.signal);
    controller.abort(reason);
    await expect(creating).rejects.toBe(reason);
    // Listing takes the latency too, so it ends after the aborted create would have.
    expect((await deployer.list(live())).pods).toEqual([]);
  });

  it('completes a call after its latency', async () => {
    const deployer = new SimulatedDeployer({ latencyMs: 5 });
    await deployer.create(vwap, live());
    expect((await deployer.list(live())).pods).toHaveLength(1);
  });

  it('refuses a failure rate outside 0..1 and a negative latency', () => {
    expect(() => new SimulatedDeployer({ failureRate: 1.5 })).toThrow(RangeError);
    expect(() => new SimulatedDeployer({ failureRate: Number.NaN })).toThrow(RangeError);
    expect(() => new SimulatedDeployer({ latencyMs: -1 })).toThrow(RangeError);
    expect(() => new SimulatedDeployer({ podFailureRate: 2 })).toThrow(RangeError);
    expect(() => new SimulatedDeployer({ historyLimit: 0 })).toThrow(RangeError);
  });

  describe('life cycle and watch', () => {
    /** The first `count` changes a watch from `from` delivers. */
    async function changes(deployer: SimulatedDeployer, from: string, count: number): Promise<PodChange[]> {
      const seen: PodChange[] = [];
      const controller = new AbortController();
      for await (const change of deployer.watch(from, controller.signal)) {
        seen.push(change);
        if (seen.length === count) break;
      }
      return seen;
    }

    const summary = (change: PodChange) =>
      change.type === 'bookmark'
        ? [change.type, change.version]
        : [
            change.type,
            change.pod.name,
            change.pod.health.phase,
            change.pod.health.ready,
            change.pod.health.reason,
            change.version,
          ];

    it('starts a created pod Pending, then Running and ready once the latency has passed', async () => {
      const deployer = new SimulatedDeployer({ latencyMs: 5 });
      await deployer.create(vwap, live());

      expect((await changes(deployer, '0', 2)).map(summary)).toEqual([
        ['added', 'vwap-1', 'Pending', false, null, '1'],
        ['modified', 'vwap-1', 'Running', true, null, '2'],
      ]);
    });

    it('watches from a version: what came after it, then every change as it happens, deletes with the last state', async () => {
      const deployer = new SimulatedDeployer();
      await deployer.create(vwap, live());
      const { version } = await deployer.list(live());
      await deployer.create({ ...vwap, name: 'twap-1', algorithm: 'TWAP' }, live());

      const watching = changes(deployer, version, 5);
      deployer.failPod('vwap-1', 'Evicted');
      deployer.setHealth('twap-1', { ready: false, reason: 'CrashLoopBackOff', restarts: 4 });
      deployer.vanish('twap-1');
      await deployer.delete('vwap-1', live());

      expect((await watching).map(summary)).toEqual([
        ['added', 'twap-1', 'Running', true, null, '2'],
        ['modified', 'vwap-1', 'Failed', false, 'Evicted', '3'],
        ['modified', 'twap-1', 'Running', false, 'CrashLoopBackOff', '4'],
        ['deleted', 'twap-1', 'Running', false, 'CrashLoopBackOff', '5'],
        ['deleted', 'vwap-1', 'Failed', false, 'Evicted', '6'],
      ]);
      expect(deployer.failPod('vwap-1')).toBe(false);
    });

    it('fails a pod on every start once told to, until told otherwise', async () => {
      const deployer = new SimulatedDeployer();
      deployer.failOnEveryStart('vwap-1', 'Error');
      await deployer.create(vwap, live());
      expect(deployer.snapshot().map((pod) => [pod.name, pod.health.phase, pod.health.reason])).toEqual([
        ['vwap-1', 'Failed', 'Error'],
      ]);

      await deployer.delete('vwap-1', live());
      deployer.failOnEveryStart('vwap-1', null);
      await deployer.create(vwap, live());
      expect(deployer.snapshot().map((pod) => pod.health.phase)).toEqual(['Running']);
    });

    it('expires a watch from a version older than the history it keeps', async () => {
      const deployer = new SimulatedDeployer({ historyLimit: 2 });
      for (const name of ['vwap-1', 'vwap-2', 'vwap-3']) await deployer.create({ ...vwap, name }, live());

      await expect(changes(deployer, '0', 1)).rejects.toBeInstanceOf(WatchExpiredError);
      expect((await changes(deployer, '1', 2)).map(summary)).toEqual([
        ['added', 'vwap-2', 'Running', true, null, '2'],
        ['added', 'vwap-3', 'Running', true, null, '3'],
      ]);
    });

    it('expires a watch that falls further behind than the history it keeps', async () => {
      const deployer = new SimulatedDeployer({ historyLimit: 2 });
      const controller = new AbortController();
      const iterator = deployer.watch('0', controller.signal)[Symbol.asyncIterator]();
      await deployer.create(vwap, live());
      expect((await iterator.next()).value).toMatchObject({ type: 'added' });
      for (const name of ['vwap-2', 'vwap-3', 'vwap-4', 'vwap-5']) await deployer.create({ ...vwap, name }, live());

      await expect(iterator.next()).resolves.toMatchObject({ value: { type: 'added' } });
      await expect(iterator.next()).resolves.toMatchObject({ value: { type: 'added' } });
      await expect(iterator.next()).rejects.toBeInstanceOf(WatchExpiredError);
    });

    it('ends open watches when told to close them, and forgets the history they would resume from', async () => {
      const deployer = new SimulatedDeployer();
      await deployer.create(vwap, live());
      const iterator = deployer.watch('0', live())[Symbol.asyncIterator]();
      expect((await iterator.next()).value).toMatchObject({ version: '1' });
      await deployer.create({ ...vwap, name: 'vwap-2' }, live());
      deployer.closeWatches();

      expect((await iterator.next()).value).toMatchObject({ version: '2' });
      expect((await iterator.next()).done).toBe(true);
      await expect(changes(deployer, '2', 1)).rejects.toBeInstanceOf(WatchExpiredError);
      const { version } = await deployer.list(live());
      const resumed = changes(deployer, version, 1);
      await deployer.create({ ...vwap, name: 'vwap-3' }, live());
      expect((await resumed).map(summary)).toEqual([['added', 'vwap-3', 'Running', true, null, '4']]);
    });

    it('ends a watch with the reason of its aborted signal, and refuses a version it never handed out', async () => {
      const deployer = new SimulatedDeployer();
      const controller = new AbortController();
      const reason = new Error('lease lost');
      const iterator = deployer.watch('0', controller.signal)[Symbol.asyncIterator]();
      const next = iterator.next();
      controller.abort(reason);

      await expect(next).rejects.toBe(reason);
      await expect(changes(deployer, '7', 1)).rejects.toMatchObject({ name: 'DeployerError', terminal: true });
    });

    it('fails running pods at the configured rate per minute, as Evicted or OOMKilled', async () => {
      const deployer = new SimulatedDeployer({ podFailureRate: 0.5, random: () => 0 });
      await deployer.create(vwap, live());

      const [failed] = await changes(deployer, '1', 1);

      expect(failed).toMatchObject({ type: 'modified', pod: { health: { phase: 'Failed', ready: false, reason: 'Evicted' } } });
    });
  });
});
