import { describe, expect, it } from 'vitest';
import { HeldLease } from './held-lease';
import { type LeaderClock, sleep } from './leader-clock';
import { LeaseLostError } from './leader-elector';
import { LeaseValidity } from './lease-validity';

/** A clock that moves only when told to, firing due timers as it goes. */
class ManualClock implements LeaderClock {
  private nowMs = 0;
  private readonly timers = new Set<{ dueMs: number; callback: () => void }>();

  monotonicMs(): number {
    return this.nowMs;
  }

  now(): Date {
    return new Date(this.nowMs);
  }

  schedule(delayMs: number, callback: () => void): () => void {
    const timer = { dueMs: this.nowMs + delayMs, callback };
    this.timers.add(timer);
    return () => this.timers.delete(timer);
  }

  /** Moves time forward without running timers, as a paused process experiences it. */
  jump(ms: number): void {
    this.nowMs += ms;
  }

  advance(ms: number): void {
    const targetMs = this.nowMs + ms;
    for (;;) {
      const due = [...this.timers].filter((timer) => timer.dueMs <= targetMs).sort((a, b) => a.dueMs - b.dueMs)[0];
      if (due === undefined) break;
      this.timers.delete(due);
      this.nowMs = Math.max(this.nowMs, due.dueMs);
      due.callback();
    }
    this.nowMs = targetMs;
  }

  get pendingTimers(): number {
    return this.timers.size;
  }
}

describe(LeaseValidity.name, () => {
  it('is valid until its deadline and aborts its signal when the deadline passes', () => {
    const clock = new ManualClock();
    const validity = new LeaseValidity(clock, 1_000);

    clock.advance(999);
    expect(validity.isValid()).toBe(true);
    expect(validity.signal.aborted).toBe(false);

    clock.advance(1);
    expect(validity.signal.aborted).toBe(true);
    expect(validity.isValid()).toBe(false);
    expect(validity.lossReason).toMatchObject({ name: 'LeaseLostError', reason: 'expired' });
  });

  it('notices a passed deadline on the next check even when no timer has run yet', () => {
    const clock = new ManualClock();
    const validity = new LeaseValidity(clock, 1_000);

    clock.jump(5_000);

    expect(validity.signal.aborted).toBe(false);
    expect(validity.isValid()).toBe(false);
    expect(validity.signal.aborted).toBe(true);
    expect(validity.signal.reason).toBeInstanceOf(LeaseLostError);
  });

  it('moves its deadline on renewal', () => {
    const clock = new ManualClock();
    const validity = new LeaseValidity(clock, 1_000);

    clock.advance(500);
    validity.renew(1_500);
    clock.advance(900);
    expect(validity.isValid()).toBe(true);

    clock.advance(100);
    expect(validity.isValid()).toBe(false);
    expect(clock.pendingTimers).toBe(0);
  });

  it('keeps the first reason and ignores renewals once revoked', () => {
    const clock = new ManualClock();
    const validity = new LeaseValidity(clock, 1_000);

    validity.revoke(new LeaseLostError('extend-failed'));
    validity.revoke(new LeaseLostError('stopped'));
    validity.renew(10_000);

    expect(validity.isValid()).toBe(false);
    expect(validity.lossReason?.reason).toBe('extend-failed');
    expect(clock.pendingTimers).toBe(0);
  });

  it('tells how long it stays valid: the time to its deadline, then 0', () => {
    const clock = new ManualClock();
    const validity = new LeaseValidity(clock, 1_000);

    clock.advance(400);
    expect(validity.remainingMs()).toBe(600);

    clock.jump(700);
    expect(validity.remainingMs()).toBe(0);
    expect(new LeaseValidity(clock, Infinity).remainingMs()).toBe(Infinity);
  });

  it('never expires with an infinite deadline', () => {
    const clock = new ManualClock();
    const validity = new LeaseValidity(clock, Infinity);

    clock.advance(Number.MAX_SAFE_INTEGER);

    expect(validity.isValid()).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });
});

describe(HeldLease.name, () => {
  it('passes assertValid while valid and throws the loss reason after', () => {
    const clock = new ManualClock();
    const lease = new HeldLease(7, clock.now(), new LeaseValidity(clock, 1_000));

    expect(() => lease.assertValid()).not.toThrow();

    clock.advance(1_000);
    expect(() => lease.assertValid()).toThrow(LeaseLostError);
    expect(() => lease.assertValid()).toThrow('the leader lease expired before it was renewed');
  });

  it('aborts its signal with the reason it was revoked for', () => {
    const clock = new ManualClock();
    const lease = new HeldLease(7, clock.now(), new LeaseValidity(clock, 1_000));

    lease.revoke(new LeaseLostError('stepped-down'));

    expect(lease.isValid()).toBe(false);
    expect(lease.signal.reason).toMatchObject({ reason: 'stepped-down' });
  });
});

describe(sleep.name, () => {
  it('resolves after the delay', async () => {
    const clock = new ManualClock();
    let woke = false;
    const sleeping = sleep(clock, 100, new AbortController().signal).then(() => (woke = true));

    clock.advance(99);
    await Promise.resolve();
    expect(woke).toBe(false);
    clock.advance(1);
    await sleeping;
    expect(woke).toBe(true);
  });

  it('resolves as soon as the signal aborts, cancelling its timer', async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const sleeping = sleep(clock, 100, controller.signal);

    controller.abort();
    await sleeping;
    expect(clock.pendingTimers).toBe(0);
  });
});
