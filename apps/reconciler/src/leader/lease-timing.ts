/** The timings of DESIGN §4, all derived from the lease TTL. */
export interface LeaseTiming {
  ttlMs: number;
  /** The holder renews this often, so two renewals can be attempted before the lease lapses. */
  extendEveryMs: number;
  /** Followers try to take the lease this often (before jitter), so failover takes a fraction of the TTL. */
  acquireEveryMs: number;
  /** Taken off the end of each lease for Redis' expiry precision and clock-rate drift between hosts. */
  driftMarginMs: number;
}

/** Redlock's own drift estimate (1% of the TTL plus 2 ms), so our deadline is never later than the lock's. */
const DRIFT_FACTOR = 0.01;
const EXPIRY_PRECISION_MS = 2;
/** Followers spread their attempts by ±20% so that they do not all hit Redis in the same instant. */
const JITTER = 0.2;

export function leaseTiming(ttlMs: number): LeaseTiming {
  if (!Number.isInteger(ttlMs) || ttlMs <= 0)
    throw new RangeError(`lease TTL must be a positive whole number of ms, got ${ttlMs}`);
  return {
    ttlMs,
    extendEveryMs: ttlMs / 3,
    acquireEveryMs: ttlMs / 5,
    driftMarginMs: Math.ceil(ttlMs * DRIFT_FACTOR) + EXPIRY_PRECISION_MS,
  };
}

/**
 * The monotonic time until which a lease acquired or extended by a request sent at `sentAtMs`
 * may be trusted. Counting from the moment the request was sent, not from the answer, keeps the
 * deadline no later than the one Redis applies, however long the round trip took.
 */
export function leaseDeadline(sentAtMs: number, timing: LeaseTiming): number {
  return sentAtMs + timing.ttlMs - timing.driftMarginMs;
}

/** `delayMs` spread uniformly over ±20%; `random` returns a number in [0, 1) like Math.random. */
export function jittered(delayMs: number, random: () => number): number {
  return delayMs * (1 - JITTER + 2 * JITTER * random());
}
