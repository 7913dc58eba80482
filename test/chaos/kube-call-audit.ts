import type { KubeApiCall } from '../support/kube-api-server';

/**
 * Reads the test Kubernetes API server's record of pod calls (every request with the replica id
 * and epoch it carried, in arrival order) for the safety properties of DESIGN §4.
 */

/** The epoch a call carried; 0 for a call of a replica that named none. */
function epochOf(call: KubeApiCall): number {
  return call.epoch ?? 0;
}

/**
 * Calls of podsync replicas that no valid leader could have sent: those without an epoch and
 * those whose epoch is older than one the server had already seen. Leases do not overlap and
 * each term has a higher epoch, so a lower epoch after a higher one is a deposed leader still
 * acting. Calls naming no replica are a test's own (a status patch playing the kubelet).
 */
export function staleEpochCalls(calls: readonly KubeApiCall[]): KubeApiCall[] {
  let highest = 0;
  const stale: KubeApiCall[] = [];
  for (const call of calls) {
    if (call.replicaId === undefined) continue;
    const epoch = epochOf(call);
    if (epoch === 0 || epoch < highest) stale.push(call);
    else highest = epoch;
  }
  return stale;
}

/** The calls of `replicaId` that arrived at or after `fromMs` with an epoch no later than `epoch` (or none). */
export function callsOfTermAfter(calls: readonly KubeApiCall[], replicaId: string, epoch: number, fromMs: number): KubeApiCall[] {
  return calls.filter((call) => call.replicaId === replicaId && call.at >= fromMs && epochOf(call) <= epoch);
}

/** The calls that arrived in [fromMs, toMs). */
export function callsBetween(calls: readonly KubeApiCall[], fromMs: number, toMs: number): KubeApiCall[] {
  return calls.filter((call) => call.at >= fromMs && call.at < toMs);
}

/** A create or delete of a pod sent again within one term although the first one had already done it. */
export interface DuplicateOperation {
  kind: 'create' | 'delete';
  pod: string;
  epoch: number;
  /** The call that had done it, then the repeat. */
  calls: [KubeApiCall, KubeApiCall];
}

const SUCCEEDED = (call: KubeApiCall): boolean => call.status >= 200 && call.status < 300;

/**
 * Creates and deletes repeated within one epoch. Within a term the leader knows what it did, so
 * the calls on one pod must alternate: a create after a successful create with no delete between
 * (the pod already ran), or a delete after a successful delete with no create between (it was
 * already gone), is an operation carried out twice. A retry after a failed call is not one.
 * Across terms a repeat is allowed: a new leader lists the pods before it acts.
 */
export function duplicateOperations(calls: readonly KubeApiCall[]): DuplicateOperation[] {
  /** Per pod: the last successful create or delete of the current term. */
  const lastDone = new Map<string, KubeApiCall>();
  const duplicates: DuplicateOperation[] = [];
  for (const call of calls) {
    if (call.pod === undefined || (call.method !== 'POST' && call.method !== 'DELETE')) continue;
    const kind = call.method === 'POST' ? 'create' : 'delete';
    const previous = lastDone.get(call.pod);
    if (previous !== undefined && epochOf(previous) === epochOf(call) && previous.method === call.method) {
      duplicates.push({ kind, pod: call.pod, epoch: epochOf(call), calls: [previous, call] });
    }
    // A delete of a missing pod (404) leaves it as gone as a successful one does.
    if (SUCCEEDED(call) || (kind === 'delete' && call.status === 404)) lastDone.set(call.pod, call);
  }
  return duplicates;
}

/** One line per call, for an assertion message. */
export function describeCalls(calls: readonly KubeApiCall[]): string {
  return calls
    .map(
      (call) =>
        `${new Date(call.at).toISOString()} ${call.method} ${call.pod ?? call.path} by ${call.replicaId ?? '?'} epoch ${call.epoch ?? '-'} -> ${call.status}`,
    )
    .join('\n');
}
