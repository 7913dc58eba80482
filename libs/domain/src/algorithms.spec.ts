import { describe, expect, it } from 'vitest';
import { ALGORITHM_NAME, AlgorithmCatalogue, DEFAULT_ALGORITHMS } from './algorithms';

describe(AlgorithmCatalogue.name, () => {
  describe('constructor', () => {
    it('keeps the names in the order given', () => {
      expect(new AlgorithmCatalogue(['TWAP', 'VWAP', 'HFT']).names).toEqual(['TWAP', 'VWAP', 'HFT']);
      expect(new AlgorithmCatalogue(DEFAULT_ALGORITHMS).names).toEqual(['VWAP', 'TWAP', 'HFT']);
    });

    it('keeps its own copy of the names', () => {
      const names = ['VWAP', 'TWAP'];
      const catalogue = new AlgorithmCatalogue(names);
      names.push('HFT');

      expect(catalogue.names).toEqual(['VWAP', 'TWAP']);
    });

    it('accepts a name of 30 characters', () => {
      expect(new AlgorithmCatalogue([`A${'1'.repeat(29)}`]).names).toHaveLength(1);
    });

    it('refuses an empty catalogue', () => {
      expect(() => new AlgorithmCatalogue([])).toThrow('the algorithm catalogue is empty');
    });

    it.each(['vwap', 'V-WAP', '1ST', '', 'A'.repeat(31), 'ÄPFEL'])('refuses the name %j', (name) => {
      expect(() => new AlgorithmCatalogue(['VWAP', name])).toThrow(`"${name}" is not a valid algorithm name`);
    });

    it('refuses a name given twice', () => {
      expect(() => new AlgorithmCatalogue(['VWAP', 'HFT', 'VWAP'])).toThrow('the algorithm catalogue repeats a name');
    });
  });

  describe('resolve', () => {
    const catalogue = new AlgorithmCatalogue(DEFAULT_ALGORITHMS);

    it.each(['VWAP', 'vwap', 'VwAp'])('finds %s as VWAP', (name) => {
      expect(catalogue.resolve(name)).toBe('VWAP');
    });

    it.each(['ICEBERG', ' vwap', 'vwap ', '', 'VWAP2', 'v-wap'])('finds nothing for %j', (name) => {
      expect(catalogue.resolve(name)).toBeUndefined();
    });

    it('folds ASCII case only: "ſtat" and "ﬁx" are not STAT and FIX', () => {
      const unicode = new AlgorithmCatalogue(['STAT', 'FIX']);

      expect(unicode.resolve('stat')).toBe('STAT');
      expect(unicode.resolve('ſtat')).toBeUndefined();
      expect(unicode.resolve('ﬁx')).toBeUndefined();
    });
  });

  describe('flags', () => {
    const catalogue = new AlgorithmCatalogue(DEFAULT_ALGORITHMS);

    it('has every algorithm off when none is enabled', () => {
      expect(catalogue.flags([])).toEqual({ VWAP: false, TWAP: false, HFT: false });
    });

    it('turns on the enabled ones, in catalogue order', () => {
      const flags = catalogue.flags(new Set(['HFT', 'VWAP']));

      expect(flags).toEqual({ VWAP: true, TWAP: false, HFT: true });
      expect(Object.keys(flags)).toEqual(['VWAP', 'TWAP', 'HFT']);
    });

    it('leaves out stored flags of algorithms no longer in the catalogue', () => {
      expect(catalogue.flags(['TWAP', 'ICEBERG'])).toEqual({ VWAP: false, TWAP: true, HFT: false });
    });
  });
});

describe('ALGORITHM_NAME', () => {
  it('matches upper-case letters and digits starting with a letter, up to 30 characters', () => {
    expect(['A', 'VWAP', 'POV2', `Z${'9'.repeat(29)}`].every((name) => ALGORITHM_NAME.test(name))).toBe(true);
    expect(['', 'vwap', '2POV', 'V_WAP', `Z${'9'.repeat(30)}`].some((name) => ALGORITHM_NAME.test(name))).toBe(false);
  });
});
