import { describe, expect, it } from 'vitest';
import type { LeaderClock } from '../leader/leader-clock';
import { TokenBucket } from './token-bucket';

/** A clock that moves only when told to; timers fire as it passes them. */
class SteppedClock implements LeaderClock {
  private nowMs = 0;
  private timers: Array<{ dueMs: number; callback: () => void }> = [];

  monotonicMs(): number {
    return this.nowMs;
  }

  now(): Date {
    return new Date(this.nowMs);
  }

  schedule(delayMs: number, callback: () => void): () => void {
    const timer = { dueMs: this.nowMs + delayMs, callback };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((other) => other !== timer);
    };
  }

  advance(ms: number): void {
    this.nowMs += ms;
    const due = this.timers.filter((timer) => timer.dueMs <= this.nowMs).sort((a, b) => a.dueMs - b.dueMs);
    this.timers = this.timers.filter((timer) => timer.dueMs > this.nowMs);
    for (const timer of due) timer.callback();
  }
}

/** Lets resolved promises run their continuations. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe(TokenBucket.name, () => {
  const live = new AbortController().signal;

  it('spends a burst of `capacity` at once, then one token per 1/rate seconds, in the order of the takers', async () => {
    const clock = new SteppedClock();
    const bucket = new TokenBucket(10, 2, clock);
    const served: string[] = [];
    const take = (name: string): Promise<void> => bucket.take(live).then(() => void served.push(name));

    await Promise.all([take('a'), take('b')]);
    void take('c');
    void take('d');
    await settle();
    expect(served).toEqual(['a', 'b']);

    clock.advance(99);
    await settle();
    expect(served).toEqual(['a', 'b']);
    clock.advance(1);
    await settle();
    expect(served).toEqual(['a', 'b', 'c']);
    clock.advance(100);
    await settle();
    expect(served).toEqual(['a', 'b', 'c', 'd']);
  });

  it('refills while idle, up to its capacity', async () => {
    const clock = new SteppedClock();
    const bucket = new TokenBucket(10, 2, clock);
    await bucket.take(live);
    await bucket.take(live);

    clock.advance(10_000);
    let served = 0;
    for (let n = 0; n < 3; n++) void bucket.take(live).then(() => served++);
    await settle();
    expect(served).toBe(2);
  });

  it('rejects with the signal reason when the signal aborts during the wait', async () => {
    const clock = new SteppedClock();
    const bucket = new TokenBucket(1, 1, clock);
    const controller = new AbortController();
    await bucket.take(controller.signal);

    const waiting = bucket.take(controller.signal);
    controller.abort(new Error('lease lost'));
    await expect(waiting).rejects.toThrow('lease lost');
  });
});
