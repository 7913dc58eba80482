import { describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../api/live-events';
import { summaryOf } from './event-summary';

const event = (type: string, payload: Record<string, unknown>): LiveEvent => ({
  key: 1,
  id: '1',
  type,
  receivedAt: new Date(0),
  payload,
});

describe('summaryOf', () => {
  it('says what an operation did to which pod', () => {
    expect(summaryOf(event('operation', { kind: 'create', pod: 'vwap-7', result: 'ok' }))).toBe('create vwap-7 done');
    expect(summaryOf(event('operation', { kind: 'delete', pod: 'vwap-7', result: 'failed', error: 'forbidden' }))).toBe(
      'delete vwap-7 failed: forbidden',
    );
  });

  it("says how a pod's status changed, and why when Kubernetes says", () => {
    expect(
      summaryOf(
        event('pod-status', { pod: 'vwap-7', from: { phase: 'Pending', ready: false }, to: { phase: 'Running', ready: true } }),
      ),
    ).toBe('vwap-7 Pending, not ready → Running, ready');
    expect(
      summaryOf(
        event('pod-status', { pod: 'vwap-7', from: null, to: { phase: 'Running', ready: false }, reason: 'CrashLoopBackOff' }),
      ),
    ).toBe('vwap-7 Running, not ready (CrashLoopBackOff)');
  });

  it('names the new leader and the counts of a finished round', () => {
    expect(summaryOf(event('leader', { replicaId: 'r1', epoch: 3 }))).toBe('r1 leads, epoch 3');
    expect(summaryOf(event('round', { round: 9, trigger: 'event', planned: 2, done: 1, failed: 1, guarded: false }))).toBe(
      'round 9 (event): 2 planned, 1 done, 1 failed',
    );
    expect(summaryOf(event('round', { round: 10, trigger: 'interval', planned: 12, done: 0, failed: 0, guarded: true }))).toBe(
      'round 10 (interval): 12 planned, 0 done, 0 failed, deletions held back',
    );
  });
});
