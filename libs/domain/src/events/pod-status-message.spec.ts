import { describe, expect, it } from 'vitest';
import { podStatusMessageSchema } from './pod-status-message';

const message = {
  eventId: '0192f0c1-7d2a-7000-8000-000000000001',
  pod: 'vwap-168317',
  target: 'default',
  clientId: 168317,
  algorithm: 'VWAP',
  from: { phase: 'Running', ready: true },
  to: { phase: 'Failed', ready: false },
  reason: 'Evicted',
  epoch: 3,
  at: '2025-01-02T03:04:06.500Z',
};

describe('podStatusMessageSchema', () => {
  it('accepts a change of phase as it arrives off the wire', () => {
    expect(podStatusMessageSchema.parse(JSON.parse(JSON.stringify(message)))).toEqual(message);
  });

  it('accepts a pod seen for the first time, healthy', () => {
    const first = { ...message, from: null, to: { phase: 'Pending', ready: false }, reason: undefined };
    expect(podStatusMessageSchema.parse(first)).toEqual(first);
  });

  it.each([
    ['an unknown phase', { to: { phase: 'Crashing', ready: false } }],
    ['a missing readiness', { from: { phase: 'Running' } }],
    ['a time that is not ISO 8601', { at: 'now' }],
  ])('refuses %s', (_, change) => {
    expect(podStatusMessageSchema.safeParse({ ...message, ...change }).success).toBe(false);
  });
});
