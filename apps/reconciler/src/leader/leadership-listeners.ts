import type { HeldLease } from './held-lease';
import { LeaseLostError, type LeadershipChange, type LeadershipListener } from './leader-elector';

/** The subscribers to an elector's changes. */
export class LeadershipListeners {
  private readonly listeners = new Set<LeadershipListener>();

  add(listener: LeadershipListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reports `lease` as elected now, and as demoted the moment its signal aborts. */
  announce(lease: HeldLease): void {
    lease.signal.addEventListener(
      'abort',
      () => this.emit({ kind: 'demoted', epoch: lease.epoch, reason: lease.lossReason ?? new LeaseLostError('expired') }),
      { once: true },
    );
    this.emit({ kind: 'elected', lease });
  }

  private emit(change: LeadershipChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (error) {
        // A faulty listener must not leave the elector half-way through a change; report it as
        // EventTarget does, as an uncaught exception.
        process.nextTick(() => {
          throw error;
        });
      }
    }
  }
}
