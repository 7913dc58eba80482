import type { LeaderClock } from './leader-clock';
import { LeaseLostError } from './leader-elector';

/**
 * How long a held lock may be trusted: a deadline on the monotonic clock, moved forward by each
 * renewal, and an AbortSignal that fires once, when the deadline passes or the lock is given up.
 */
export class LeaseValidity {
  private readonly controller = new AbortController();
  private lost: LeaseLostError | undefined;
  private cancelExpiry: () => void = () => undefined;

  /** `deadlineMs` is on the clock's monotonic scale; Infinity never expires. */
  constructor(
    private readonly clock: LeaderClock,
    private deadlineMs: number,
  ) {
    this.armExpiry();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Why the lease ended; undefined while it holds. */
  get lossReason(): LeaseLostError | undefined {
    return this.lost;
  }

  isValid(): boolean {
    if (this.lost !== undefined) return false;
    // Checked here as well as by the timer: a timer runs late after a pause, this check never does.
    if (this.clock.monotonicMs() >= this.deadlineMs) {
      this.revoke(new LeaseLostError('expired'));
      return false;
    }
    return true;
  }

  /** Milliseconds until the deadline; 0 once the lease is lost, Infinity when it never expires. */
  remainingMs(): number {
    if (!this.isValid()) return 0;
    return this.deadlineMs - this.clock.monotonicMs();
  }

  /** Moves the deadline after a successful renewal; does nothing once the lease is lost. */
  renew(deadlineMs: number): void {
    if (this.lost !== undefined) return;
    this.deadlineMs = deadlineMs;
    this.armExpiry();
  }

  /** Ends the lease now; the first reason given is kept. */
  revoke(reason: LeaseLostError): void {
    if (this.lost !== undefined) return;
    this.lost = reason;
    this.cancelExpiry();
    this.controller.abort(reason);
  }

  private armExpiry(): void {
    this.cancelExpiry();
    if (this.deadlineMs === Infinity) return;
    this.cancelExpiry = this.clock.schedule(this.deadlineMs - this.clock.monotonicMs(), () => {
      // A timer may fire a fraction of a millisecond early; then wait for the rest.
      if (this.isValid()) this.armExpiry();
    });
  }
}
