/**
 * Deletes a round may always make, whatever the share: a small fleet can lose a few pods at once
 * (one client deleted takes every algorithm of it) without an operator having to confirm.
 */
export const DELETE_GUARD_FLOOR = 10;

export interface DeleteGuardInput {
  /** Deletes the round's plan asks for. */
  deletes: number;
  /** Pods running in the whole fleet. */
  running: number;
  /** PODSYNC_DELETE_GUARD: the largest share of running pods one round may delete; 1 turns the guard off. */
  share: number;
  /** POST /api/v1/sync?force=true: the operator confirmed the deletes. */
  force: boolean;
}

/**
 * True when the round must delete nothing: it would delete more than `share` of the running pods
 * and more than DELETE_GUARD_FLOOR. An emptied or wrong database then cannot wipe the fleet.
 */
export function deleteGuardHolds({ deletes, running, share, force }: DeleteGuardInput): boolean {
  if (force || share >= 1) return false;
  return deletes > DELETE_GUARD_FLOOR && deletes > share * running;
}
