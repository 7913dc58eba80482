import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff';

describe(backoffDelay.name, () => {
  const policy = { initialMs: 5, maxMs: 100 };

  it('doubles from the initial pause with each consecutive failure', () => {
    expect([1, 2, 3, 4, 5].map((failures) => backoffDelay(policy, failures))).toEqual([5, 10, 20, 40, 80]);
  });

  it('stops at the cap, also after more failures than a double can count', () => {
    expect(backoffDelay(policy, 6)).toBe(100);
    expect(backoffDelay(policy, 5_000)).toBe(100);
  });

  it('pauses not at all before the first failure', () => {
    expect(backoffDelay(policy, 0)).toBe(0);
  });
});
