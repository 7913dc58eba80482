import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { AlgorithmCatalogue, DEFAULT_ALGORITHMS } from './algorithms';
import {
  DEFAULT_PAGE_SIZE,
  MAX_ID,
  MAX_PAGE_SIZE,
  idParamsSchema,
  idSchema,
  logLevelBodySchema,
  operationsQuerySchema,
  pageQuerySchema,
  podsQuerySchema,
  statusQuerySchema,
} from './request.schema';

/** The validation errors as the gateway shows them: `path` joined with dots, and the message. */
function errorsOf(schema: z.ZodType, input: unknown): { path: string; message: string }[] {
  const result = schema.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}

const CURSOR_MESSAGE = 'cursor must be a nextCursor value returned by the previous page';

describe('idSchema', () => {
  it.each([
    ['1', 1],
    ['168317', 168_317],
    [String(MAX_ID), MAX_ID],
  ])('reads %s as the number %d', (text, id) => {
    expect(idSchema.parse(text)).toBe(id);
  });

  it.each([String(MAX_ID + 1), '9007199254740993', '9999999999999999', '12345678901234567890', '1'.repeat(400)])(
    'refuses %s as too large for a JSON number to hold exactly',
    (text) => {
      expect(errorsOf(idSchema, text)).toEqual([{ path: '', message: 'id must be at most 9007199254740991' }]);
    },
  );

  it.each(['0', '-1', '1.0', '1.5', 'abc', '', '01', '1e3', '0x1', ' 1', '1 ', '+1'])(
    'refuses %j as not a positive whole number',
    (text) => {
      expect(errorsOf(idSchema, text)).toEqual([{ path: '', message: 'id must be a positive whole number' }]);
    },
  );

  it.each([[1], [['1', '2']], [undefined]])('refuses the non-string %j', (value) => {
    expect(errorsOf(idSchema, value)).toEqual([{ path: '', message: 'id must be a positive whole number' }]);
  });

  it('is the schema of the {id} path parameter', () => {
    expect(idParamsSchema.parse({ id: '42' })).toEqual({ id: 42 });
    expect(errorsOf(idParamsSchema, { id: '0' })).toEqual([{ path: 'id', message: 'id must be a positive whole number' }]);
  });
});

describe('pageQuerySchema', () => {
  it('pages by the default size when no limit is given', () => {
    expect(pageQuerySchema.parse({})).toEqual({ limit: DEFAULT_PAGE_SIZE });
    expect(DEFAULT_PAGE_SIZE).toBe(100);
  });

  it.each([
    ['1', 1],
    ['500', MAX_PAGE_SIZE],
    ['0042', 42],
  ])('reads limit=%s as %d', (text, limit) => {
    expect(pageQuerySchema.parse({ limit: text })).toEqual({ limit });
  });

  it.each(['0', '501', '9999'])('refuses limit=%s as out of range', (text) => {
    expect(errorsOf(pageQuerySchema, { limit: text })).toEqual([{ path: 'limit', message: 'limit must be from 1 to 500' }]);
  });

  it.each([['abc'], ['-1'], ['1.5'], [''], ['10000'], [['1', '2']]])('refuses limit=%j as not a whole number', (value) => {
    expect(errorsOf(pageQuerySchema, { limit: value })).toEqual([
      { path: 'limit', message: 'limit must be a whole number from 1 to 500' },
    ]);
  });

  it('reads the cursor as the id it stands for', () => {
    expect(pageQuerySchema.parse({ cursor: '168317', limit: '10' })).toEqual({ cursor: 168_317, limit: 10 });
    expect(pageQuerySchema.parse({ cursor: String(MAX_ID) })).toEqual({ cursor: MAX_ID, limit: DEFAULT_PAGE_SIZE });
  });

  it.each(['0', '-1', 'abc', '1.0', String(MAX_ID + 1), '12345678901234567890'])('refuses cursor=%s', (text) => {
    expect(errorsOf(pageQuerySchema, { cursor: text })).toEqual([{ path: 'cursor', message: CURSOR_MESSAGE }]);
  });

  it('refuses an unknown parameter, naming it and the known ones', () => {
    expect(errorsOf(pageQuerySchema, { limt: '5' })).toEqual([
      { path: '', message: 'unknown query parameter "limt"; known: limit, cursor' },
    ]);
  });
});

describe('operationsQuerySchema', () => {
  it('filters by client id on request', () => {
    expect(operationsQuerySchema.parse({})).toEqual({ limit: DEFAULT_PAGE_SIZE });
    expect(operationsQuerySchema.parse({ clientId: '7', limit: '500', cursor: '99' })).toEqual({
      clientId: 7,
      limit: 500,
      cursor: 99,
    });
  });

  it.each([
    ['0', 'id must be a positive whole number'],
    ['abc', 'id must be a positive whole number'],
    [String(MAX_ID + 1), 'id must be at most 9007199254740991'],
  ])('refuses clientId=%s', (text, message) => {
    expect(errorsOf(operationsQuerySchema, { clientId: text })).toEqual([{ path: 'clientId', message }]);
  });

  it('refuses limit=0 and limit=501 as on the other pages', () => {
    expect(errorsOf(operationsQuerySchema, { limit: '0' })).toEqual([{ path: 'limit', message: 'limit must be from 1 to 500' }]);
    expect(errorsOf(operationsQuerySchema, { limit: '501' })).toEqual([
      { path: 'limit', message: 'limit must be from 1 to 500' },
    ]);
  });

  it('refuses an unknown parameter', () => {
    expect(errorsOf(operationsQuerySchema, { client: '7' })).toEqual([
      { path: '', message: 'unknown query parameter "client"; known: limit, cursor, clientId' },
    ]);
  });
});

describe(podsQuerySchema.name, () => {
  const schema = podsQuerySchema(new AlgorithmCatalogue(DEFAULT_ALGORITHMS));

  it('reads every filter, the algorithm in the catalogue spelling', () => {
    expect(schema.parse({})).toEqual({ limit: DEFAULT_PAGE_SIZE });
    expect(
      schema.parse({ clientId: '7', algorithm: 'vWaP', phase: 'Failed', ready: 'false', limit: '500', cursor: 'vwap-7' }),
    ).toEqual({ clientId: 7, algorithm: 'VWAP', phase: 'Failed', ready: false, limit: 500, cursor: 'vwap-7' });
    expect(schema.parse({ ready: 'true' })).toEqual({ ready: true, limit: DEFAULT_PAGE_SIZE });
  });

  it('knows the algorithms of the catalogue it was built from', () => {
    const custom = podsQuerySchema(new AlgorithmCatalogue(['ICEBERG']));
    expect(custom.parse({ algorithm: 'iceberg' })).toMatchObject({ algorithm: 'ICEBERG' });
    expect(errorsOf(custom, { algorithm: 'VWAP' })).toEqual([
      { path: 'algorithm', message: 'algorithm must be one of ICEBERG (any case)' },
    ]);
  });

  it.each<[Record<string, unknown>, string, string]>([
    [{ algorithm: 'FOO' }, 'algorithm', 'algorithm must be one of VWAP, TWAP, HFT (any case)'],
    [{ algorithm: '' }, 'algorithm', 'algorithm must be one of VWAP, TWAP, HFT (any case)'],
    [{ algorithm: ['VWAP', 'HFT'] }, 'algorithm', 'algorithm must be one of VWAP, TWAP, HFT (any case)'],
    [{ phase: 'running' }, 'phase', 'phase must be one of Pending, Running, Succeeded, Failed, Unknown'],
    [{ phase: 'Evicted' }, 'phase', 'phase must be one of Pending, Running, Succeeded, Failed, Unknown'],
    [{ ready: 'yes' }, 'ready', 'ready must be true or false'],
    [{ ready: '' }, 'ready', 'ready must be true or false'],
    [{ clientId: '0' }, 'clientId', 'id must be a positive whole number'],
    [{ cursor: 'VWAP-1' }, 'cursor', CURSOR_MESSAGE],
    [{ cursor: '-vwap' }, 'cursor', CURSOR_MESSAGE],
    [{ cursor: 'a'.repeat(64) }, 'cursor', CURSOR_MESSAGE],
    [{ limit: '501' }, 'limit', 'limit must be from 1 to 500'],
    [{ unhealthy: 'true' }, '', 'unknown query parameter "unhealthy"; known: limit, cursor, clientId, algorithm, phase, ready'],
  ])('refuses %j', (query, path, message) => {
    expect(errorsOf(schema, query)).toEqual([{ path, message }]);
  });
});

describe('statusQuerySchema', () => {
  it.each([
    [{}, {}],
    [{ need_restart: 'true' }, { need_restart: true }],
    [{ need_restart: 'false' }, { need_restart: false }],
  ])('reads %j as %j', (query, parsed) => {
    expect(statusQuerySchema.parse(query)).toEqual(parsed);
  });

  it.each(['TRUE', '1', 'yes', ''])('refuses need_restart=%j', (text) => {
    expect(errorsOf(statusQuerySchema, { need_restart: text })).toEqual([
      { path: 'need_restart', message: 'need_restart must be true or false' },
    ]);
  });

  it('refuses an unknown parameter', () => {
    expect(errorsOf(statusQuerySchema, { needRestart: 'true' })).toEqual([
      { path: '', message: 'unknown query parameter "needRestart"; known: need_restart' },
    ]);
  });
});

describe('logLevelBodySchema', () => {
  it('accepts a pino level and refuses any other', () => {
    expect(logLevelBodySchema.parse({ level: 'debug' })).toEqual({ level: 'debug' });
    expect(errorsOf(logLevelBodySchema, { level: 'loud' })).toEqual([
      { path: 'level', message: 'level must be one of fatal, error, warn, info, debug, trace' },
    ]);
  });
});
