import { z } from 'zod';
import type { AlgorithmCatalogue } from './algorithms';
import { POD_PHASES } from './deployer';

/** Ids are JSON numbers, so they stay within the integers a double holds exactly. */
export const MAX_ID = Number.MAX_SAFE_INTEGER;

/**
 * A positive whole number within MAX_ID, given as a string (path or query). A well-formed
 * number that is too large gets its own message: "not a whole number" would mislead.
 */
const positiveWholeNumber = (malformed: string, tooLarge: string) =>
  z
    .string({ error: malformed })
    .regex(/^[1-9][0-9]*$/, { message: malformed, abort: true })
    .refine((value) => value.length <= String(MAX_ID).length && Number(value) <= MAX_ID, tooLarge)
    .transform((value) => Number(value));

export const idSchema = positiveWholeNumber('id must be a positive whole number', `id must be at most ${MAX_ID}`);

export const idParamsSchema = z.strictObject({ id: idSchema });

export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 100;

const limit = z
  .string({ error: `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}` })
  .regex(/^[0-9]{1,4}$/, `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`)
  .transform((value) => Number(value))
  .refine((value) => value >= 1 && value <= MAX_PAGE_SIZE, `limit must be from 1 to ${MAX_PAGE_SIZE}`)
  .default(DEFAULT_PAGE_SIZE);

/** Keyset cursor: the id of the last item of the previous page, as the API handed it out. */
const cursorMessage = 'cursor must be a nextCursor value returned by the previous page';
const cursor = positiveWholeNumber(cursorMessage, cursorMessage).optional();

/** Query strings reject unknown parameters: a misspelt `limt` would otherwise be ignored without a word. */
const queryObject = <Shape extends z.ZodRawShape>(shape: Shape) =>
  z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown query parameter ${issue.keys.map((key) => `"${key}"`).join(', ')}; known: ${Object.keys(shape).join(', ')}`
        : undefined,
  });

export const pageQuerySchema = queryObject({ limit, cursor });
export type PageQuery = z.infer<typeof pageQuerySchema>;

export const operationsQuerySchema = queryObject({ limit, cursor, clientId: idSchema.optional() });
export type OperationsQuery = z.infer<typeof operationsQuerySchema>;

/** A pod name, as a page of GET /api/v1/pods hands it out for the next one: a DNS label. */
const podCursor = z
  .string({ error: cursorMessage })
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, cursorMessage)
  .optional();

/**
 * Query of GET /api/v1/pods: filters on the observed pods, keyset-paged by pod name. The algorithm
 * is a catalogue name in any case, handed on in the catalogue's spelling; the phase is spelt as
 * Kubernetes spells it.
 */
export function podsQuerySchema(catalogue: AlgorithmCatalogue) {
  const unknownAlgorithm = `algorithm must be one of ${catalogue.names.join(', ')} (any case)`;
  return queryObject({
    limit,
    cursor: podCursor,
    clientId: idSchema.optional(),
    algorithm: z
      .string({ error: unknownAlgorithm })
      .transform((name, ctx) => {
        const known = catalogue.resolve(name);
        if (known === undefined) ctx.addIssue({ code: 'custom', message: unknownAlgorithm, input: name });
        return known ?? z.NEVER;
      })
      .optional()
      .meta({ description: `${catalogue.names.join(', ')}, in any case` }),
    phase: z.enum(POD_PHASES, { error: `phase must be one of ${POD_PHASES.join(', ')}` }).optional(),
    ready: z
      .enum(['true', 'false'], { error: 'ready must be true or false' })
      .transform((value) => value === 'true')
      .optional()
      .meta({ description: 'false lists what is unhealthy now' }),
  });
}
export type PodsQuery = z.output<ReturnType<typeof podsQuerySchema>>;

export const statusQuerySchema = queryObject({
  need_restart: z
    .enum(['true', 'false'], { error: 'need_restart must be true or false' })
    .transform((value) => value === 'true')
    .optional(),
});
export type StatusQuery = z.infer<typeof statusQuerySchema>;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const logLevelSchema = z.enum(LOG_LEVELS, { error: `level must be one of ${LOG_LEVELS.join(', ')}` });

export const logLevelBodySchema = z.strictObject({ level: logLevelSchema }).meta({ example: { level: 'debug' } });
export type LogLevelBody = z.infer<typeof logLevelBodySchema>;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
