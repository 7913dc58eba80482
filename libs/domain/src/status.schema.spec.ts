import { describe, expect, it } from 'vitest';
import { AlgorithmCatalogue, DEFAULT_ALGORITHMS } from './algorithms';
import { statusBodySchema } from './status.schema';

const catalogue = new AlgorithmCatalogue(DEFAULT_ALGORITHMS);

/** The validation errors as the gateway shows them: `path` joined with dots, and the message. */
function errorsOf(input: unknown, schema = statusBodySchema(catalogue)): { path: string; message: string }[] {
  const result = schema.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}

describe(statusBodySchema.name, () => {
  describe('accepts', () => {
    it('catalogue names in any case, mapped to the catalogue spelling', () => {
      expect(statusBodySchema(catalogue).parse({ vwap: true, Twap: false, HFT: true })).toEqual({
        VWAP: true,
        TWAP: false,
        HFT: true,
      });
    });

    it('a part of the catalogue, leaving the other algorithms out of the result', () => {
      expect(statusBodySchema(catalogue).parse({ tWaP: true })).toEqual({ TWAP: true });
    });

    it('the names of the catalogue it was built from', () => {
      const custom = new AlgorithmCatalogue(['ICEBERG', 'POV2']);

      expect(statusBodySchema(custom).parse({ iceberg: false, pov2: true })).toEqual({ ICEBERG: false, POV2: true });
      expect(errorsOf({ VWAP: true }, statusBodySchema(custom))).toEqual([
        { path: 'VWAP', message: 'unknown algorithm; known: ICEBERG, POV2' },
      ]);
    });
  });

  describe('refuses', () => {
    it('an empty body, which would change nothing', () => {
      expect(errorsOf({})).toEqual([{ path: '', message: 'name at least one algorithm: VWAP, TWAP, HFT' }]);
    });

    it('an unknown algorithm, with its key as the path', () => {
      expect(errorsOf({ VWAP: true, ICEBERG: true })).toEqual([
        { path: 'ICEBERG', message: 'unknown algorithm; known: VWAP, TWAP, HFT' },
      ]);
    });

    it('a key that is a catalogue name only after Unicode case mapping', () => {
      const schema = statusBodySchema(new AlgorithmCatalogue(['FIX']));

      expect(errorsOf({ ﬁx: true }, schema)).toEqual([{ path: 'ﬁx', message: 'unknown algorithm; known: FIX' }]);
    });

    it.each(['VW\u0000AP', 'VWAP\n', '\u0085HFT'])('a key %j holding a control character', (key) => {
      expect(errorsOf({ [key]: true })).toEqual([
        { path: key, message: 'an algorithm name must not contain control characters (such as NUL, tab or newline)' },
      ]);
    });

    it('a "__proto__" key, which a JSON body can carry', () => {
      expect(errorsOf(JSON.parse('{"__proto__": true, "VWAP": true}'))).toEqual([
        { path: '__proto__', message: 'unknown algorithm; known: VWAP, TWAP, HFT' },
      ]);
    });

    it.each([['true'], [1], [null], [{}]])('a value that is not a boolean: %j', (value) => {
      expect(errorsOf({ HFT: value })).toEqual([{ path: 'HFT', message: 'must be true or false' }]);
    });

    it('the same algorithm twice in different case, naming the second key', () => {
      expect(errorsOf({ VWAP: true, vwap: false })).toEqual([{ path: 'vwap', message: 'VWAP is given more than once' }]);
    });

    it.each([[null], [[]], [['VWAP']], ['VWAP'], [true]])('a body that is not an object: %j', (input) => {
      expect(errorsOf(input)).toEqual([
        { path: '', message: 'the body must be a JSON object of algorithm names to true or false' },
      ]);
    });
  });
});
