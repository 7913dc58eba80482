import { z } from 'zod';

/** Ids are JSON numbers, so they stay within the integers a double holds exactly. */
export const MAX_ID = Number.MAX_SAFE_INTEGER;

export const idSchema = z
  .string()
  .regex(/^[1-9][0-9]{0,15}$/, 'id must be a positive whole number')
  .transform((value) => Number(value))
  .refine((value) => value <= MAX_ID, `id must be at most ${MAX_ID}`);

export const idParamsSchema = z.strictObject({ id: idSchema });

export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 100;

const limit = z
  .string()
  .regex(/^[0-9]{1,4}$/, `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`)
  .transform((value) => Number(value))
  .refine((value) => value >= 1 && value <= MAX_PAGE_SIZE, `limit must be from 1 to ${MAX_PAGE_SIZE}`)
  .default(DEFAULT_PAGE_SIZE);

/** Keyset cursor: the id of the last item of the previous page, as the API handed it out. */
const cursor = z
  .string()
  .regex(/^[1-9][0-9]{0,15}$/, 'cursor must be a nextCursor value returned by the previous page')
  .transform((value) => Number(value))
  .optional();

export const pageQuerySchema = z.strictObject({ limit, cursor });
export type PageQuery = z.infer<typeof pageQuerySchema>;

export const operationsQuerySchema = z.strictObject({ limit, cursor, clientId: idSchema.optional() });
export type OperationsQuery = z.infer<typeof operationsQuerySchema>;

export const statusQuerySchema = z.strictObject({
  need_restart: z
    .enum(['true', 'false'], { error: 'need_restart must be true or false' })
    .transform((value) => value === 'true')
    .optional(),
});
export type StatusQuery = z.infer<typeof statusQuerySchema>;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const logLevelSchema = z.enum(LOG_LEVELS, { error: `level must be one of ${LOG_LEVELS.join(', ')}` });

export const logLevelBodySchema = z.strictObject({ level: logLevelSchema }).meta({ id: 'LogLevelBody', example: { level: 'debug' } });
export type LogLevelBody = z.infer<typeof logLevelBodySchema>;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
