import type { ActualPod, PodHealth, PodToRun } from './deployer';

/** A pod that should run: one per client and enabled algorithm, with what its client says about it. */
export interface DesiredPod extends Omit<PodToRun, 'epoch'> {
  priority: number;
  needRestart: boolean;
}

export const RESTART_REASONS = ['spec-changed', 'restart-requested', 'pod-failed'] as const;
/** Why a pod is recreated: its client changed, an operator asked for a restart, or the pod failed. */
export type RestartReason = (typeof RESTART_REASONS)[number];

/** One step of a round; each carries what executing and recording it needs. */
export type PodOperation =
  | { kind: 'create'; pod: DesiredPod; priority: number }
  | { kind: 'restart'; pod: DesiredPod; reason: RestartReason; priority: number }
  | { kind: 'delete'; pod: ActualPod; priority: number };

export type PodOperationKind = PodOperation['kind'];

/** Every kind of PodOperation, for the schemas of the messages and views that carry one. */
export const POD_OPERATION_KINDS = ['create', 'delete', 'restart'] as const satisfies readonly PodOperationKind[];

/**
 * The priority of deleting a pod whose client has no desired pod left (the client is gone,
 * or every one of its algorithms is off). Such deletes run first: the pod trades for someone
 * who asked it to stop, which is the most urgent difference to remove, and deleting frees
 * the cluster capacity the creates after it may need. A bounded round (rate limit, an abort
 * on losing the lease) therefore never leaves an unwanted algorithm running while it spends
 * its budget elsewhere. The mass-deletion guard, not the order, protects against a wrong plan.
 */
export const ORPHAN_DELETE_PRIORITY = Number.POSITIVE_INFINITY;

export interface PlanOptions {
  /**
   * Pods whose healing waits (their per-pod backoff after failing soon after a start): a missing
   * one is not created and a terminated one not replaced, whatever else asks for it. A healthy
   * one is restarted or deleted as usual.
   */
  heldBack?: ReadonlySet<string>;
}

/**
 * True when the pod's containers will not run again: Kubernetes does not restart a pod whose
 * phase is Failed (evicted, OOM-killed past its restart policy, its node lost), nor one that
 * Succeeded. Such a pod must be replaced. A crash-looping or image-pull-failing pod is Pending or
 * Running: the kubelet keeps retrying it, and recreating it would not help, so it is left alone.
 */
export function podTerminated(health: PodHealth): boolean {
  return health.phase === 'Failed' || health.phase === 'Succeeded';
}

/**
 * The operations that turn `actual` into `desired`: create what is missing, delete what is
 * not wanted, replace a pod that terminated (reason `pod-failed`), restart a pod whose spec hash
 * differs or whose client asked for a restart (once per pod; several reasons on the same pod
 * make one restart, named after the first of pod-failed, spec-changed, restart-requested).
 * A missing or terminated pod named in `options.heldBack` is left as it is. Ordered by client
 * priority, highest first; equal priorities keep deletes before creates and restarts (freeing
 * capacity first), each in the order of its input. Pod names are unique in each input.
 */
export function plan(desired: Iterable<DesiredPod>, actual: Iterable<ActualPod>, options: PlanOptions = {}): PodOperation[] {
  const heldBack = options.heldBack ?? new Set<string>();
  const desiredByName = new Map<string, DesiredPod>();
  const priorityByClient = new Map<number, number>();
  for (const pod of desired) {
    if (desiredByName.has(pod.name)) throw new Error(`the desired pods name ${pod.name} twice`);
    desiredByName.set(pod.name, pod);
    priorityByClient.set(pod.clientId, pod.priority);
  }

  const deletes: PodOperation[] = [];
  const running = new Map<string, ActualPod>();
  for (const pod of actual) {
    running.set(pod.name, pod);
    if (desiredByName.has(pod.name)) continue;
    deletes.push({ kind: 'delete', pod, priority: priorityByClient.get(pod.clientId) ?? ORPHAN_DELETE_PRIORITY });
  }

  const changes: PodOperation[] = [];
  for (const pod of desiredByName.values()) {
    const current = running.get(pod.name);
    if (current === undefined) {
      if (!heldBack.has(pod.name)) changes.push({ kind: 'create', pod, priority: pod.priority });
    } else if (podTerminated(current.health)) {
      if (!heldBack.has(pod.name)) changes.push({ kind: 'restart', pod, reason: 'pod-failed', priority: pod.priority });
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
