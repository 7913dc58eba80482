/** Time as the leader election sees it; tests pass a fake to drive the lease arithmetic. */
export interface LeaderClock {
  /** Milliseconds from an arbitrary origin on a monotonic clock: wall-clock steps never move it. */
  monotonicMs(): number;
  /** Wall-clock time, only for what people read (`since`, `lastSeen`). */
  now(): Date;
  /** Runs `callback` once after `delayMs`; the returned function cancels it. */
  schedule(delayMs: number, callback: () => void): () => void;
}

export const systemClock: LeaderClock = {
  monotonicMs: () => performance.now(),
  now: () => new Date(),
  schedule(delayMs, callback) {
    const timer = setTimeout(callback, Math.max(0, delayMs));
    return () => clearTimeout(timer);
  },
};

/** Resolves after `delayMs`, or as soon as `signal` aborts; never rejects. */
export function sleep(clock: LeaderClock, delayMs: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const wake = (): void => {
      cancel();
      signal.removeEventListener('abort', wake);
      resolve();
    };
    const cancel = clock.schedule(delayMs, wake);
    signal.addEventListener('abort', wake, { once: true });
  });
}
