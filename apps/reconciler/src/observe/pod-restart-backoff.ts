import type { PodHealth } from '@podsync/domain';
import { type LeaderClock, systemClock } from '../leader/leader-clock';
import { type BackoffPolicy, backoffDelay } from '../sync/backoff';

export interface PodRestartBackoffSettings {
  /** The wait before starting again a pod that failed soon after its last start; doubles with each start. */
  backoff: BackoffPolicy;
  /** A pod that has run, Running and ready, this long is healthy again: its next failure is healed at once. */
  healthyAfterMs: number;
}

/**
 * The kubelet's CrashLoopBackOff, one level up: 10 s doubling to 5 min there, reset after 10 min
 * of running; here from 1 s, since replacing a failed pod is what the operator is waiting for.
 */
export const DEFAULT_POD_RESTART_BACKOFF: PodRestartBackoffSettings = {
  backoff: { initialMs: 1_000, maxMs: 5 * 60_000 },
  healthyAfterMs: 10 * 60_000,
};

interface PodStarts {
  /** Starts since the pod was last healthy for healthyAfterMs. */
  starts: number;
  lastStartMs: number;
  /** Since when it has been Running and ready, if it is. */
  healthySinceMs: number | undefined;
}

/**
 * Per-pod backoff of healing, so that a pod failing on every start is started again after 1 s,
 * then 2 s, 4 s, ... up to 5 min, instead of in a storm. It counts the starts the leader made
 * (creates and restarts), and the health the watch reports resets it.
 *
 * It lives in the leader's memory: a new leader starts every pod's backoff from the beginning.
 * That costs at most a few early restarts of a crash-looping pod per change of leader, and keeps
 * the pods table free of bookkeeping that only the leader reads.
 */
export class PodRestartBackoff {
  private readonly pods = new Map<string, PodStarts>();

  constructor(
    private readonly settings: PodRestartBackoffSettings = DEFAULT_POD_RESTART_BACKOFF,
    private readonly clock: LeaderClock = systemClock,
  ) {}

  /** The leader has just created or recreated the pod. */
  started(name: string): void {
    const now = this.clock.monotonicMs();
    const known = this.current(name, now);
    this.pods.set(name, { starts: (known?.starts ?? 0) + 1, lastStartMs: now, healthySinceMs: undefined });
  }

  /** What the watch saw of the pod. */
  observed(name: string, health: PodHealth): void {
    const known = this.pods.get(name);
    if (known === undefined) return;
    if (health.phase === 'Running' && health.ready) known.healthySinceMs ??= this.clock.monotonicMs();
    else known.healthySinceMs = undefined;
  }

  /** The pod is no longer wanted (deleted on purpose). */
  forget(name: string): void {
    this.pods.delete(name);
  }

  /** How long healing the pod must still wait; 0 when it may start again now. */
  waitMs(name: string): number {
    const now = this.clock.monotonicMs();
    const known = this.current(name, now);
    if (known === undefined) return 0;
    return Math.max(0, known.lastStartMs + backoffDelay(this.settings.backoff, known.starts) - now);
  }

  /** Drops what no longer matters: pods healthy long enough, and pods whose last backoff ended long ago. */
  prune(): void {
    const now = this.clock.monotonicMs();
    for (const name of this.pods.keys()) this.current(name, now);
  }

  /** Pods tracked, for tests of the pruning. */
  size(): number {
    return this.pods.size;
  }

  /** The pod's record, or undefined once it has been healthy long enough or its backoff is long over. */
  private current(name: string, now: number): PodStarts | undefined {
    const known = this.pods.get(name);
    if (known === undefined) return undefined;
    const healthy = known.healthySinceMs !== undefined && now - known.healthySinceMs >= this.settings.healthyAfterMs;
    const longOver = now - known.lastStartMs >= this.settings.backoff.maxMs + this.settings.healthyAfterMs;
    if (!healthy && !longOver) return known;
    this.pods.delete(name);
    return undefined;
  }
}
