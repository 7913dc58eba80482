import { describe, expect, it } from 'vitest';
import { leaderMessageSchema } from './leader-message';

describe('leaderMessageSchema', () => {
  it('accepts a change of leader', () => {
    const message = { replicaId: 'podsync-7f9c-a1b2c3', epoch: 4, at: new Date(0).toISOString() };
    expect(leaderMessageSchema.parse(message)).toEqual(message);
  });

  it('refuses an epoch of zero, which no leader ever holds', () => {
    expect(leaderMessageSchema.safeParse({ replicaId: 'a', epoch: 0, at: new Date(0).toISOString() }).success).toBe(false);
  });
});
