import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/test-database';
import { isUnstorableText } from './errors';
import { type Database, openDatabase } from './open-database';

/** Both drivers must report text PostgreSQL cannot store the same way, so the API answers 400 and not 500. */
describe.each(['postgres', 'pglite'] as const)('isUnstorableText on %s', (driver) => {
  let database: Database;
  let testDatabase: TestDatabase | undefined;

  beforeAll(async () => {
    if (driver === 'postgres') {
      testDatabase = await createTestDatabase();
      database = openDatabase({ url: testDatabase.url, dataDir: '' });
    } else {
      database = openDatabase({ url: undefined, dataDir: 'memory://' });
    }
  });

  afterAll(async () => {
    await database?.close();
    await testDatabase?.drop();
  });

  const failureOf = async (query: Promise<unknown>): Promise<unknown> =>
    query.then(
      () => undefined,
      (error: unknown) => error,
    );

  it('recognises a NUL in text', async () => {
    const error = await failureOf(database.db.execute(sql`select ${'ac\u0000me'}::text as name`));
    expect(isUnstorableText(error)).toBe(true);
  });

  it('recognises a \\u0000 escape in jsonb', async () => {
    const error = await failureOf(database.db.execute(sql`select ${'{"name":"ac\\u0000me"}'}::jsonb as body`));
    expect(isUnstorableText(error)).toBe(true);
  });

  it('does not take another failure for one', async () => {
    const error = await failureOf(database.db.execute(sql`select 1 / 0`));
    expect(error).toBeInstanceOf(Error);
    expect(isUnstorableText(error)).toBe(false);
  });
});
