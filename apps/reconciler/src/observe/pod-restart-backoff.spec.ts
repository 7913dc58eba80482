import type { PodHealth } from '@podsync/domain';
import { describe, expect, it } from 'vitest';
import type { LeaderClock } from '../leader/leader-clock';
import { DEFAULT_POD_RESTART_BACKOFF, PodRestartBackoff } from './pod-restart-backoff';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;

const RUNNING: PodHealth = { phase: 'Running', ready: true, restarts: 0, reason: null, message: null, node: 'node-1' };
const FAILED: PodHealth = { ...RUNNING, phase: 'Failed', ready: false, reason: 'Error' };

/** Time that moves only when the test says; the backoff sets no timers. */
class StillClock implements LeaderClock {
  nowMs = 0;

  monotonicMs(): number {
    return this.nowMs;
  }

  now(): Date {
    return new Date(this.nowMs);
  }

  schedule(): () => void {
    throw new Error('the restart backoff schedules nothing');
  }
}

function backoff(): { clock: StillClock; restarts: PodRestartBackoff } {
  const clock = new StillClock();
  return { clock, restarts: new PodRestartBackoff(DEFAULT_POD_RESTART_BACKOFF, clock) };
}

describe(PodRestartBackoff.name, () => {
  it('lets a pod never started, or not known, start at once', () => {
    expect(backoff().restarts.waitMs('vwap-1')).toBe(0);
  });

  it('waits 1 s after a start, then doubles with each start up to 5 min', () => {
    const { clock, restarts } = backoff();
    const waits: number[] = [];
    for (let start = 0; start < 12; start++) {
      restarts.started('vwap-1');
      restarts.observed('vwap-1', FAILED);
      const waitMs = restarts.waitMs('vwap-1');
      waits.push(waitMs);
      clock.nowMs += waitMs;
      expect(restarts.waitMs('vwap-1')).toBe(0);
    }

    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300].map((seconds) => seconds * SECOND));
  });

  it('counts down from the last start', () => {
    const { clock, restarts } = backoff();
    restarts.started('vwap-1');
    restarts.started('vwap-1');
    clock.nowMs += 1_500;

    expect(restarts.waitMs('vwap-1')).toBe(500);
  });

  it('starts from 1 s again once the pod has run, ready, for 10 min', () => {
    const { clock, restarts } = backoff();
    for (const name of ['vwap-1', 'twap-1']) {
      for (let start = 0; start < 5; start++) restarts.started(name);
      restarts.observed(name, RUNNING);
    }
    clock.nowMs += 10 * MINUTE - 1;
    restarts.started('vwap-1');
    expect(restarts.waitMs('vwap-1')).toBe(32 * SECOND);

    clock.nowMs += 1;
    restarts.started('twap-1');
    expect(restarts.waitMs('twap-1')).toBe(SECOND);
  });

  it('does not count a run that was interrupted by a failure or a lost readiness', () => {
    const { clock, restarts } = backoff();
    for (let start = 0; start < 3; start++) restarts.started('vwap-1');
    restarts.observed('vwap-1', RUNNING);
    clock.nowMs += 6 * MINUTE;
    restarts.observed('vwap-1', { ...RUNNING, ready: false, reason: 'CrashLoopBackOff' });
    restarts.observed('vwap-1', RUNNING);
    clock.nowMs += 6 * MINUTE;
    restarts.started('vwap-1');

    expect(restarts.waitMs('vwap-1')).toBe(8 * SECOND);
  });

  it('forgets a pod deleted on purpose, and prunes pods healthy long enough or started long ago', () => {
    const { clock, restarts } = backoff();
    restarts.started('vwap-1');
    restarts.forget('vwap-1');
    expect(restarts.waitMs('vwap-1')).toBe(0);

    restarts.started('twap-1');
    restarts.observed('twap-1', RUNNING);
    restarts.started('hft-1');
    clock.nowMs += 10 * MINUTE;
    restarts.started('vwap-2');
    restarts.prune();
    expect(restarts.size()).toBe(2);

    clock.nowMs += 5 * MINUTE;
    restarts.prune();
    expect(restarts.size()).toBe(1);
  });
});
