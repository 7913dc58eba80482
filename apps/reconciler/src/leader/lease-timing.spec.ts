import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jittered, leaseDeadline, leaseTiming } from './lease-timing';

describe(leaseTiming.name, () => {
  it('derives the renewal and acquisition periods and the drift margin from the TTL', () => {
    expect(leaseTiming(5_000)).toEqual({ ttlMs: 5_000, extendEveryMs: 5_000 / 3, acquireEveryMs: 1_000, driftMarginMs: 52 });
  });

  it('refuses a TTL that Redlock cannot take', () => {
    expect(() => leaseTiming(0)).toThrow(RangeError);
    expect(() => leaseTiming(1_500.5)).toThrow(RangeError);
  });

  it('leaves time for two renewals before the lease lapses', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1_000, max: 600_000 }), (ttlMs) => {
        const timing = leaseTiming(ttlMs);
        expect(2 * timing.extendEveryMs).toBeLessThan(ttlMs - timing.driftMarginMs);
      }),
    );
  });
});

describe(leaseDeadline.name, () => {
  it('counts the TTL from the moment the request was sent, less the drift margin', () => {
    expect(leaseDeadline(10_000, leaseTiming(5_000))).toBe(10_000 + 5_000 - 52);
  });
});

describe(jittered.name, () => {
  it('stays within ±20% of the delay', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 1, max: 100_000 }),
        (random, delayMs) => {
          const delay = jittered(delayMs, () => random);
          expect(delay).toBeGreaterThanOrEqual(delayMs * 0.8);
          expect(delay).toBeLessThanOrEqual(delayMs * 1.2);
        },
      ),
    );
  });

  it('reaches both ends of the range', () => {
    expect(jittered(1_000, () => 0)).toBe(800);
    expect(jittered(1_000, () => 0.5)).toBe(1_000);
    expect(jittered(1_000, () => 0.999_999)).toBeCloseTo(1_200, 3);
  });
});
