import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/test-database';
import { isUnstorableText } from './errors';
import { type Database, openDatabase } from './open-database';

/** PostgreSQL's refusals of text it cannot store are recognised, so the API answers 400 and not 500. */
describe('isUnstorableText', () => {
  let database: Database;
  let testDatabase: TestDatabase | undefined;

  beforeAll(async () => {
    testDatabase = await createTestDatabase();
    database = openDatabase({ url: testDatabase.url, dataDir: '' });
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
