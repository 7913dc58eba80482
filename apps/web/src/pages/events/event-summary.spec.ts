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
  it('says what happened, for each type of event', () => {
    expect(summaryOf(event('operation', { kind: 'create', pod: 'vwap-7', result: 'ok' }))).toBe('create vwap-7 done');
    expect(summaryOf(event('operation', { kind: 'delete', pod: 'vwap-7', result: 'failed', error: 'forbidden' }))).toBe(
      'delete vwap-7 failed: forbidden',
    );
    expect(summaryOf(event('pod-status', { name: 'vwap-7', phase: 'Running', ready: true }))).toBe('vwap-7 Running, ready');
    expect(summaryOf(event('pod-status', { name: 'vwap-7', phase: 'Running', ready: false, reason: 'CrashLoopBackOff' }))).toBe(
      'vwap-7 CrashLoopBackOff, not ready',
    );
    expect(summaryOf(event('leader', { replicaId: 'r1', epoch: 3 }))).toBe('r1 leads, epoch 3');
    expect(summaryOf(event('round', { id: 9, planned: 2, done: 1, failed: 1 }))).toBe('round 9: 2 planned, 1 done, 1 failed');
  });
});
