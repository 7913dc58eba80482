import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ORPHAN_DELETE_PRIORITY, plan, type DesiredPod, type PodOperation, type RunningPod } from './plan';
import { podName } from './pod-name';

const ALGORITHMS = ['VWAP', 'TWAP', 'HFT'];

function desiredPod(clientId: number, algorithm: string, overrides: Partial<DesiredPod> = {}): DesiredPod {
  return {
    name: podName(algorithm, clientId),
    clientId,
    algorithm,
    image: 'registry.example.com/algo:1',
    version: 1,
    cpu: '500m',
    mem: '256Mi',
    specHash: 'hash-1',
    priority: 0,
    needRestart: false,
    ...overrides,
  };
}

function actualPod(clientId: number, algorithm: string, specHash = 'hash-1'): RunningPod {
  return { name: podName(algorithm, clientId), clientId, algorithm, specHash, epoch: 1 };
}

function running(pod: DesiredPod): RunningPod {
  return { name: pod.name, clientId: pod.clientId, algorithm: pod.algorithm, specHash: pod.specHash, epoch: 1 };
}

/** What the deployer would hold after executing `operations` on `actual`: pod name to spec hash. */
function apply(actual: RunningPod[], operations: PodOperation[]): Map<string, string> {
  const pods = new Map(actual.map((pod) => [pod.name, pod.specHash]));
  for (const operation of operations) {
    if (operation.kind === 'delete') pods.delete(operation.pod.name);
    else pods.set(operation.pod.name, operation.pod.specHash);
  }
  return pods;
}

interface Client {
  id: number;
  priority: number;
  specHash: string;
  needRestart: boolean;
  algorithms: string[];
}

const clientArbitrary = fc.record({
  id: fc.integer({ min: 1, max: 40 }),
  priority: fc.oneof(fc.constantFrom(-1, 0, 10), fc.double({ noNaN: true, noDefaultInfinity: true })),
  specHash: fc.constantFrom('hash-a', 'hash-b'),
  needRestart: fc.boolean(),
  algorithms: fc.subarray(ALGORITHMS),
});

const clientsArbitrary = fc.uniqueArray(clientArbitrary, { selector: (client) => client.id, maxLength: 25 });

function desiredOf(clients: Client[]): DesiredPod[] {
  return clients.flatMap((client) =>
    client.algorithms.map((algorithm) =>
      desiredPod(client.id, algorithm, { priority: client.priority, specHash: client.specHash, needRestart: client.needRestart }),
    ),
  );
}

/** Running pods: any pod name of clients 1..50 (some of them with no desired pod at all), any hash. */
const actualArbitrary = fc
  .uniqueArray(
    fc.record({
      clientId: fc.integer({ min: 1, max: 50 }),
      algorithm: fc.constantFrom(...ALGORITHMS),
      specHash: fc.constantFrom('hash-a', 'hash-b', 'hash-old'),
    }),
    { selector: (pod) => podName(pod.algorithm, pod.clientId), maxLength: 60 },
  )
  .map((pods) => pods.map((pod) => actualPod(pod.clientId, pod.algorithm, pod.specHash)));

describe(plan.name, () => {
  it('creates a desired pod that is not running', () => {
    const vwap = desiredPod(1, 'VWAP');
    expect(plan([vwap], [])).toEqual([{ kind: 'create', pod: vwap, priority: 0 }]);
  });

  it('deletes a running pod that is not desired', () => {
    const twap = actualPod(1, 'TWAP');
    expect(plan([desiredPod(1, 'VWAP')], [actualPod(1, 'VWAP'), twap])).toEqual([{ kind: 'delete', pod: twap, priority: 0 }]);
  });

  it('restarts a running pod whose spec hash differs from its client', () => {
    const vwap = desiredPod(1, 'VWAP', { specHash: 'hash-2' });
    expect(plan([vwap], [actualPod(1, 'VWAP', 'hash-1')])).toEqual([
      { kind: 'restart', pod: vwap, reason: 'spec-changed', priority: 0 },
    ]);
  });

  it('restarts each running pod of a client that asked for a restart, and creates its missing ones', () => {
    const vwap = desiredPod(1, 'VWAP', { needRestart: true });
    const twap = desiredPod(1, 'TWAP', { needRestart: true });
    expect(plan([vwap, twap], [running(vwap)])).toEqual([
      { kind: 'restart', pod: vwap, reason: 'restart-requested', priority: 0 },
      { kind: 'create', pod: twap, priority: 0 },
    ]);
  });

  it('makes one restart of a pod whose spec changed and whose client asked for a restart', () => {
    const vwap = desiredPod(1, 'VWAP', { needRestart: true, specHash: 'hash-2' });
    expect(plan([vwap], [actualPod(1, 'VWAP', 'hash-1')])).toEqual([
      { kind: 'restart', pod: vwap, reason: 'spec-changed', priority: 0 },
    ]);
  });

  it('orders by client priority, highest first, keeping input order among equals', () => {
    const low = desiredPod(1, 'VWAP', { priority: -5 });
    const highFirst = desiredPod(2, 'VWAP', { priority: 7 });
    const highSecond = desiredPod(2, 'TWAP', { priority: 7 });
    const middle = desiredPod(3, 'HFT', { priority: 0 });
    expect(plan([low, highFirst, middle, highSecond], []).map((operation) => operation.pod.name)).toEqual([
      'vwap-2',
      'twap-2',
      'hft-3',
      'vwap-1',
    ]);
  });

  it('gives a delete the priority of its client when the client still has desired pods', () => {
    const vwap = desiredPod(1, 'VWAP', { priority: 3 });
    const other = desiredPod(2, 'VWAP', { priority: 5 });
    const operations = plan([vwap, other], [running(vwap), actualPod(1, 'HFT')]);
    expect(operations.map((operation) => [operation.kind, operation.pod.name, operation.priority])).toEqual([
      ['create', 'vwap-2', 5],
      ['delete', 'hft-1', 3],
    ]);
  });

  it('deletes the pods of a client with no desired pod before anything else', () => {
    const urgent = desiredPod(1, 'VWAP', { priority: Number.MAX_VALUE });
    const operations = plan([urgent], [actualPod(9, 'TWAP')]);
    expect(operations.map((operation) => [operation.kind, operation.pod.name, operation.priority])).toEqual([
      ['delete', 'twap-9', ORPHAN_DELETE_PRIORITY],
      ['create', 'vwap-1', Number.MAX_VALUE],
    ]);
  });

  it('puts deletes before creates of the same priority', () => {
    const vwap = desiredPod(1, 'VWAP');
    expect(plan([vwap], [actualPod(1, 'TWAP')]).map((operation) => operation.kind)).toEqual(['delete', 'create']);
  });

  it('refuses desired pods that repeat a name', () => {
    expect(() => plan([desiredPod(1, 'VWAP'), desiredPod(1, 'VWAP')], [])).toThrow(/vwap-1 twice/);
  });

  it('reads each input once, so it accepts one-shot iterables', () => {
    function* once<T>(items: T[]): Generator<T> {
      yield* items;
    }
    const vwap = desiredPod(1, 'VWAP');
    expect(plan(once([vwap]), once([actualPod(2, 'HFT')])).map((operation) => operation.kind)).toEqual(['delete', 'create']);
  });

  describe('properties', () => {
    it('turns the running pods into exactly the desired ones, names and hashes', () => {
      fc.assert(
        fc.property(clientsArbitrary, actualArbitrary, (clients, actual) => {
          const desired = desiredOf(clients);
          const result = apply(actual, plan(desired, actual));
          expect(result).toEqual(new Map(desired.map((pod) => [pod.name, pod.specHash])));
        }),
      );
    });

    it('touches each pod at most once', () => {
      fc.assert(
        fc.property(clientsArbitrary, actualArbitrary, (clients, actual) => {
          const names = plan(desiredOf(clients), actual).map((operation) => operation.pod.name);
          expect(new Set(names).size).toBe(names.length);
        }),
      );
    });

    it('plans nothing when the desired pods already run and no restart is asked', () => {
      fc.assert(
        fc.property(clientsArbitrary, (clients) => {
          const desired = desiredOf(clients.map((client) => ({ ...client, needRestart: false })));
          expect(plan(desired, desired.map(running))).toEqual([]);
        }),
      );
    });

    it('orders operations by priority, highest first', () => {
      fc.assert(
        fc.property(clientsArbitrary, actualArbitrary, (clients, actual) => {
          const priorities = plan(desiredOf(clients), actual).map((operation) => operation.priority);
          for (let i = 1; i < priorities.length; i++) {
            expect(priorities[i - 1]).toBeGreaterThanOrEqual(priorities[i] ?? Number.NEGATIVE_INFINITY);
          }
        }),
      );
    });

    it('restarts every running pod of a client that asked for a restart, once', () => {
      fc.assert(
        fc.property(clientsArbitrary, actualArbitrary, (clients, actual) => {
          const desired = desiredOf(clients);
          const operations = plan(desired, actual);
          const runningNames = new Set(actual.map((pod) => pod.name));
          const expected = desired
            .filter((pod) => runningNames.has(pod.name) && pod.needRestart)
            .map((pod) => pod.name)
            .sort();
          const restarted = operations
            .filter((operation) => operation.kind === 'restart' && operation.pod.needRestart)
            .map((operation) => operation.pod.name)
            .sort();
          expect(restarted).toEqual(expected);
        }),
      );
    });
  });
});
