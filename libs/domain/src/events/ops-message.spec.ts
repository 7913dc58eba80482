import { describe, expect, it } from 'vitest';
import { opsMessageSchema } from './ops-message';

const message = {
  id: 7,
  eventId: '0190f5c6-8a3b-7c41-9d2e-5f6a7b8c9d0e',
  epoch: 3,
  round: 12,
  replicaId: 'replica-a',
  kind: 'create',
  pod: 'vwap-168317',
  clientId: 168317,
  algorithm: 'VWAP',
  result: 'ok',
  at: '2025-01-02T03:04:06.500Z',
};

describe('opsMessageSchema', () => {
  it('accepts an operation as it arrives off the wire', () => {
    expect(opsMessageSchema.parse(JSON.parse(JSON.stringify(message)))).toEqual(message);
  });

  it('accepts a failed operation outside a round, with its error', () => {
    const failed = { ...message, round: null, result: 'failed', error: 'quota exceeded' };
    expect(opsMessageSchema.parse(failed)).toEqual(failed);
  });

  it('accepts a restart with the reason it was made for', () => {
    const restart = { ...message, kind: 'restart', reason: 'pod-failed' };
    expect(opsMessageSchema.parse(restart)).toEqual(restart);
  });

  it.each([
    ['an unknown restart reason', { kind: 'restart', reason: 'bored' }],
    ['an unknown kind', { kind: 'scale' }],
    ['an unknown result', { result: 'maybe' }],
    ['a time that is not ISO 8601', { at: 'yesterday' }],
    ['a fractional epoch', { epoch: 1.5 }],
    ['an event id that is not a UUID', { eventId: '7' }],
  ])('refuses %s', (_, change) => {
    expect(opsMessageSchema.safeParse({ ...message, ...change }).success).toBe(false);
  });
});
