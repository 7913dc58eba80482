import { z } from 'zod';
import type { AlgorithmCatalogue } from './algorithms';
import { controlCharacterMessage, hasControlCharacter } from './request.schema';

/**
 * Body of PUT /api/v1/status/{id}: catalogue names (any case) to booleans. Keys left out
 * keep their value, so an empty body would change nothing and is refused as a likely mistake.
 * The result maps the catalogue's own spelling to the new flag.
 */
export function statusBodySchema(catalogue: AlgorithmCatalogue) {
  const unknownAlgorithm = `unknown algorithm; known: ${catalogue.names.join(', ')}`;
  const flags = z
    .record(z.string(), z.boolean({ error: 'must be true or false' }), {
      error: 'the body must be a JSON object of algorithm names to true or false',
    })
    .superRefine((flags, ctx) => {
      const keys = Object.keys(flags);
      if (keys.length === 0) {
        ctx.addIssue({ code: 'custom', message: `name at least one algorithm: ${catalogue.names.join(', ')}` });
      }
      const seen = new Set<string>();
      for (const key of keys) {
        const name = catalogue.resolve(key);
        if (hasControlCharacter(key)) {
          ctx.addIssue({ code: 'custom', path: [key], message: controlCharacterMessage('an algorithm name') });
        } else if (name === undefined) {
          ctx.addIssue({ code: 'custom', path: [key], message: unknownAlgorithm });
        } else if (seen.has(name)) {
          ctx.addIssue({ code: 'custom', path: [key], message: `${name} is given more than once` });
        }
        if (name !== undefined) seen.add(name);
      }
    })
    .transform((flags) => {
      const canonical: Record<string, boolean> = {};
      for (const [key, enabled] of Object.entries(flags)) canonical[catalogue.resolve(key) ?? key] = enabled;
      return canonical;
    });
  // zod's record drops an own "__proto__" key without a word (JSON.parse makes one), so the
  // rest of the body would pass; it is no algorithm, and unknown keys are refused.
  return z
    .preprocess((body, ctx) => {
      if (typeof body === 'object' && body !== null && Object.hasOwn(body, '__proto__')) {
        ctx.addIssue({ code: 'custom', path: ['__proto__'], message: unknownAlgorithm, input: body });
      }
      return body;
    }, flags)
    .meta({ example: { VWAP: true, TWAP: false } });
}

export type StatusBody = Record<string, boolean>;
