import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALGORITHM_NAME } from './algorithms';
import { podName } from './pod-name';
import { MAX_ID } from './request.schema';

/** RFC 1123 label, as Kubernetes checks pod names that must also serve as host names. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const algorithmArbitrary = fc.stringMatching(ALGORITHM_NAME);
const clientIdArbitrary = fc.integer({ min: 1, max: MAX_ID });

describe(podName.name, () => {
  it('is the lower-case algorithm, a dash and the client id', () => {
    expect(podName('VWAP', 168_317)).toBe('vwap-168317');
    expect(podName('HFT', 1)).toBe('hft-1');
  });

  it('writes the largest id in full, not in exponent notation', () => {
    expect(podName('TWAP', MAX_ID)).toBe('twap-9007199254740991');
  });

  it('is a valid DNS label of at most 63 characters for every catalogue name and id', () => {
    fc.assert(
      fc.property(algorithmArbitrary, clientIdArbitrary, (algorithm, clientId) => {
        const name = podName(algorithm, clientId);
        return DNS_LABEL.test(name) && name.length <= 63;
      }),
    );
    expect(podName('A'.repeat(30), MAX_ID)).toHaveLength(47);
  });

  it('names each client and algorithm apart', () => {
    fc.assert(
      fc.property(algorithmArbitrary, clientIdArbitrary, algorithmArbitrary, clientIdArbitrary, (a, aId, b, bId) => {
        const same = a === b && aId === bId;
        return same === (podName(a, aId) === podName(b, bId));
      }),
    );
  });
});
