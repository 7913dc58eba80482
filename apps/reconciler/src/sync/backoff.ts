/** Exponential backoff: the pause doubles with each consecutive failure, up to a cap. */
export interface BackoffPolicy {
  /** Pause after the first failure. */
  initialMs: number;
  /** Longest pause. */
  maxMs: number;
}

/**
 * The pause after `failures` consecutive failures (1 after the first): initialMs × 2^(failures − 1),
 * capped at maxMs, as controller-runtime's per-item rate limiter computes it. No failure, no pause.
 */
export function backoffDelay(policy: BackoffPolicy, failures: number): number {
  if (failures < 1) return 0;
  return Math.min(policy.maxMs, policy.initialMs * 2 ** (failures - 1));
}
