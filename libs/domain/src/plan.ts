import type { ActualPod, PodToRun } from './deployer';

/** What planning needs of a running pod: who it is for and the spec it runs, not its health. */
export type RunningPod = Omit<ActualPod, 'health'>;

/** A pod that should run: one per client and enabled algorithm, with what its client says about it. */
export interface DesiredPod extends Omit<PodToRun, 'epoch'> {
  priority: number;
  needRestart: boolean;
}

/** Why a running pod is recreated: its client changed, or an operator asked for a restart. */
export type RestartReason = 'spec-changed' | 'restart-requested';

/** One step of a round; each carries what executing and recording it needs. */
export type PodOperation =
  | { kind: 'create'; pod: DesiredPod; priority: number }
  | { kind: 'restart'; pod: DesiredPod; reason: RestartReason; priority: number }
  | { kind: 'delete'; pod: RunningPod; priority: number };

export type PodOperationKind = PodOperation['kind'];

/**
 * The priority of deleting a pod whose client has no desired pod left (the client is gone,
 * or every one of its algorithms is off). Such deletes run first: the pod trades for someone
 * who asked it to stop, which is the most urgent difference to remove, and deleting frees
 * the cluster capacity the creates after it may need. A bounded round (rate limit, an abort
 * on losing the lease) therefore never leaves an unwanted algorithm running while it spends
 * its budget elsewhere. The mass-deletion guard, not the order, protects against a wrong plan.
 */
export const ORPHAN_DELETE_PRIORITY = Number.POSITIVE_INFINITY;

/**
 * The operations that turn `actual` into `desired`: create what is missing, delete what is
 * not wanted, restart a running pod whose spec hash differs or whose client asked for a
 * restart (once per pod; a spec change and a restart request on the same pod make one
 * restart). Ordered by client priority, highest first; equal priorities keep deletes before
 * creates and restarts (freeing capacity first), each in the order of its input.
 * Pod names are unique in each input.
 */
export function plan(desired: Iterable<DesiredPod>, actual: Iterable<RunningPod>): PodOperation[] {
  const desiredByName = new Map<string, DesiredPod>();
  const priorityByClient = new Map<number, number>();
  for (const pod of desired) {
    if (desiredByName.has(pod.name)) throw new Error(`the desired pods name ${pod.name} twice`);
    desiredByName.set(pod.name, pod);
    priorityByClient.set(pod.clientId, pod.priority);
  }

  const deletes: PodOperation[] = [];
  const running = new Map<string, RunningPod>();
  for (const pod of actual) {
    running.set(pod.name, pod);
    if (desiredByName.has(pod.name)) continue;
    deletes.push({ kind: 'delete', pod, priority: priorityByClient.get(pod.clientId) ?? ORPHAN_DELETE_PRIORITY });
  }

  const changes: PodOperation[] = [];
  for (const pod of desiredByName.values()) {
    const current = running.get(pod.name);
    if (current === undefined) {
      changes.push({ kind: 'create', pod, priority: pod.priority });
    } else if (current.specHash !== pod.specHash) {
      changes.push({ kind: 'restart', pod, reason: 'spec-changed', priority: pod.priority });
    } else if (pod.needRestart) {
      changes.push({ kind: 'restart', pod, reason: 'restart-requested', priority: pod.priority });
    }
  }

  // Array.prototype.sort is stable, so equal priorities keep the order built above.
  return [...deletes, ...changes].sort((a, b) => byPriorityDescending(a.priority, b.priority));
}

function byPriorityDescending(a: number, b: number): number {
  if (a === b) return 0;
  return a > b ? -1 : 1;
}
