import { DeployerError, type PodToRun } from '@podsync/domain';
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
    expect((await deployer.list(live())).pods).toEqual([
      {
        name: 'vwap-1',
        clientId: 1,
        algorithm: 'VWAP',
        specHash: 'hash-1',
        epoch: 7,
        health: { phase: 'Running', ready: true, restarts: 0, reason: null, message: null, node: 'simulated' },
      },
    ]);
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
    if (listed) listed.specHash = 'changed';
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
  });
});
