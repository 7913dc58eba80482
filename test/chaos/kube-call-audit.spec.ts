import { describe, expect, it } from 'vitest';
import type { KubeApiCall } from '../support/kube-api-server';
import { callsBetween, callsOfTermAfter, duplicateOperations, staleEpochCalls } from './kube-call-audit';

let clock = 0;
function call(
  method: string,
  pod: string | undefined,
  epoch: number | undefined,
  status: number,
  replicaId = 'replica-1',
): KubeApiCall {
  clock += 10;
  return {
    method,
    path: '/api/v1/namespaces/podsync/pods',
    query: {},
    namespace: 'podsync',
    pod,
    replicaId,
    epoch,
    at: clock,
    status,
  };
}

describe('staleEpochCalls', () => {
  it('passes calls whose epoch never goes down', () => {
    expect(
      staleEpochCalls([call('GET', undefined, 1, 200), call('POST', 'vwap-1', 1, 201), call('GET', undefined, 2, 200)]),
    ).toEqual([]);
  });

  it('reports a call of an older epoch after a newer one, and calls sent without a lease', () => {
    const late = call('POST', 'vwap-1', 1, 409);
    const leaseless = call('DELETE', 'vwap-2', 0, 200);
    const unidentified = call('GET', undefined, undefined, 200);
    expect(
      staleEpochCalls([call('GET', undefined, 1, 200), call('GET', undefined, 2, 200), late, leaseless, unidentified]),
    ).toEqual([late, leaseless, unidentified]);
  });

  it("leaves out calls that name no replica: a test's own, playing the kubelet", () => {
    const kubelet = { ...call('PATCH', 'vwap-1', undefined, 200), replicaId: undefined };
    expect(staleEpochCalls([call('GET', undefined, 2, 200), kubelet])).toEqual([]);
  });
});

describe('duplicateOperations', () => {
  it('allows a create after a delete, a retry after a failure, and a repeat in a later term', () => {
    const calls = [
      call('POST', 'vwap-1', 1, 201),
      call('DELETE', 'vwap-1', 1, 200),
      call('POST', 'vwap-1', 1, 500),
      call('POST', 'vwap-1', 1, 201),
      call('POST', 'vwap-1', 2, 409),
    ];
    expect(duplicateOperations(calls)).toEqual([]);
  });

  it('reports a create of a pod the same term had created, and a delete of one it had deleted', () => {
    const created = call('POST', 'vwap-1', 3, 201);
    const again = call('POST', 'vwap-1', 3, 409);
    const deleted = call('DELETE', 'hft-2', 3, 404);
    const deletedAgain = call('DELETE', 'hft-2', 3, 404);
    expect(duplicateOperations([created, again, deleted, deletedAgain])).toEqual([
      { kind: 'create', pod: 'vwap-1', epoch: 3, calls: [created, again] },
      { kind: 'delete', pod: 'hft-2', epoch: 3, calls: [deleted, deletedAgain] },
    ]);
  });
});

describe('callsOfTermAfter and callsBetween', () => {
  it('select by replica, epoch and arrival time', () => {
    const before = call('GET', undefined, 4, 200, 'replica-1');
    const afterOwn = call('POST', 'vwap-1', 4, 201, 'replica-1');
    const afterLeaseless = call('POST', 'vwap-2', 0, 201, 'replica-1');
    const other = call('GET', undefined, 5, 200, 'replica-2');
    const laterTerm = call('GET', undefined, 6, 200, 'replica-1');
    const calls = [before, afterOwn, afterLeaseless, other, laterTerm];
    expect(callsOfTermAfter(calls, 'replica-1', 4, afterOwn.at)).toEqual([afterOwn, afterLeaseless]);
    expect(callsBetween(calls, afterOwn.at, other.at)).toEqual([afterOwn, afterLeaseless]);
  });
});
