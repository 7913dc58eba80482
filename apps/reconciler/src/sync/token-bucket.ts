import { type LeaderClock, sleep, systemClock } from '../leader/leader-clock';

/**
 * Limits how often something may happen: tokens refill at `ratePerSecond` up to `capacity`, and
 * each take() spends one. A taker that finds the bucket empty reserves the next token and waits
 * for it, so concurrent takers are served in the order they arrived and none wakes in vain.
 */
export class TokenBucket {
  private tokens: number;
  private refilledAtMs: number;

  /** `capacity` is the largest burst; it defaults to one second's worth of tokens. */
  constructor(
    private readonly ratePerSecond: number,
    private readonly capacity: number = Math.max(1, Math.floor(ratePerSecond)),
    private readonly clock: LeaderClock = systemClock,
  ) {
    if (!(ratePerSecond > 0 && Number.isFinite(ratePerSecond)))
      throw new RangeError(`ratePerSecond must be above 0, not ${ratePerSecond}`);
    if (!(capacity >= 1)) throw new RangeError(`capacity must be at least 1, not ${capacity}`);
    this.tokens = capacity;
    this.refilledAtMs = clock.monotonicMs();
  }

  /** Resolves when a token is spent for the caller; rejects with the signal's reason if it aborts first. */
  async take(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    this.refill();
    this.tokens -= 1;
    if (this.tokens >= 0) return;
    // The reservation is kept if the wait is aborted: an aborted caller ends its round anyway.
    await sleep(this.clock, (-this.tokens * 1_000) / this.ratePerSecond, signal);
    signal.throwIfAborted();
  }

  private refill(): void {
    const now = this.clock.monotonicMs();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.refilledAtMs) * this.ratePerSecond) / 1_000);
    this.refilledAtMs = now;
  }
}
