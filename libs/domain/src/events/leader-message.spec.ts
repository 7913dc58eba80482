import { describe, expect, it } from 'vitest';
import { leaderMessageSchema } from './leader-message';

describe('leaderMessageSchema', () => {
  it('accepts a change of leader', () => {
    const message = {
      eventId: '0190f5c6-8a3b-7c41-9d2e-5f6a7b8c9d0e',
      replicaId: 'podsync-7f9c-a1b2c3',
      epoch: 4,
      at: new Date(0).toISOString(),
    };
    expect(leaderMessageSchema.parse(message)).toEqual(message);
  });

  it('refuses an epoch of zero, which no leader ever holds', () => {
    expect(
      leaderMessageSchema.safeParse({
        eventId: '0190f5c6-8a3b-7c41-9d2e-5f6a7b8c9d0e',
        replicaId: 'a',
        epoch: 0,
        at: new Date(0).toISOString(),
      }).success,
    ).toBe(false);
  });
});
