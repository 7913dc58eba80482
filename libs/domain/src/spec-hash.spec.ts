import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type PodSpec, specHash } from './spec-hash';

const spec: PodSpec = { image: 'registry.example.com/algo:1.2', version: 3, cpu: '500m', mem: '256Mi' };

const specArbitrary = fc.record({ image: fc.string(), version: fc.nat(), cpu: fc.string(), mem: fc.string() });

describe(specHash.name, () => {
  it('gives the same hash for the same spec', () => {
    expect(specHash(spec)).toBe(specHash({ ...spec }));
  });

  it('keeps its value across releases: a change would roll every running pod on upgrade', () => {
    expect(specHash(spec)).toBe('bba69e140267ce25');
  });

  it('is 16 lower-case hex characters, fit for a label or annotation value', () => {
    fc.assert(fc.property(specArbitrary, (anySpec) => /^[0-9a-f]{16}$/.test(specHash(anySpec))));
  });

  it.each([
    ['image', { image: 'registry.example.com/algo:1.3' }],
    ['version', { version: 4 }],
    ['cpu', { cpu: '1' }],
    ['mem', { mem: '512Mi' }],
  ])('changes when %s changes', (_field, change) => {
    expect(specHash({ ...spec, ...change })).not.toBe(specHash(spec));
  });

  it('does not depend on the key order of the object', () => {
    const reordered: PodSpec = { mem: '256Mi', cpu: '500m', version: 3, image: 'registry.example.com/algo:1.2' };

    expect(specHash(reordered)).toBe(specHash(spec));
  });

  it('ignores fields outside the spec, so a change of name or priority does not roll pods', () => {
    const client = { ...spec, id: 7, name: 'acme', priority: 10, needRestart: true };
    const renamed = { ...client, name: 'other', priority: -1 };

    expect(specHash(client)).toBe(specHash(spec));
    expect(specHash(renamed)).toBe(specHash(spec));
  });

  it('keeps field boundaries: moving text from one field to the next changes the hash', () => {
    expect(specHash({ ...spec, cpu: '500m2', mem: '56Mi' })).not.toBe(specHash(spec));
    expect(specHash({ ...spec, image: 'a","b' })).not.toBe(specHash({ ...spec, image: 'a', cpu: 'b' }));
  });

  it('gives different specs different hashes', () => {
    fc.assert(
      fc.property(specArbitrary, specArbitrary, (a, b) => {
        const same = a.image === b.image && a.version === b.version && a.cpu === b.cpu && a.mem === b.mem;
        return same === (specHash(a) === specHash(b));
      }),
    );
  });
});
