import { getTableColumns, lt, sql } from 'drizzle-orm';
import type { Db } from './database';
import { columnList, PreparedStatement } from './prepared-statement';
import { idempotencyKeys, type IdempotencyKeyRow } from './schema';

/** How long an Idempotency-Key's first answer is kept and replayed. */
export const IDEMPOTENCY_KEY_HOURS = 24;
const KEPT = sql.raw(`interval '${IDEMPOTENCY_KEY_HOURS} hours'`);

const findStatement = new PreparedStatement(
  'find_idempotency_key',
  () => sql`
    select ${columnList(getTableColumns(idempotencyKeys))} from idempotency_keys
    where key = ${sql.placeholder('key')}::varchar and created_at > now() - ${KEPT}`,
  getTableColumns(idempotencyKeys),
);

export async function findIdempotencyKey(db: Db, key: string): Promise<IdempotencyKeyRow | undefined> {
  return findStatement.row(db, { key });
}

const deleteExpiredStatement = new PreparedStatement(
  'delete_expired_idempotency_key',
  () => sql`
    delete from idempotency_keys
    where key = ${sql.placeholder('key')}::varchar and created_at < now() - ${KEPT}
    returning key`,
  { key: idempotencyKeys.key },
);

const insertStatement = new PreparedStatement(
  'insert_idempotency_key',
  () => sql`
    insert into idempotency_keys (key, request_hash, status_code, response)
    values (${sql.placeholder('key')}::varchar, ${sql.placeholder('requestHash')}::varchar,
      ${sql.placeholder('statusCode')}::integer, ${sql.placeholder('response')}::text::jsonb)
    returning key`,
  { key: idempotencyKeys.key },
);

/**
 * Records the answer given for a key. An expired row with the same key is replaced; a live
 * one makes the insert fail with a unique violation, which the caller treats as a race lost.
 */
export async function saveIdempotencyKey(
  db: Db,
  row: Pick<IdempotencyKeyRow, 'key' | 'requestHash' | 'statusCode' | 'response'>,
): Promise<void> {
  await deleteExpiredStatement.rows(db, { key: row.key });
  await insertStatement.rows(db, { ...row, response: JSON.stringify(row.response) });
}

/** Deletes keys past their 24 hours; returns how many went. */
export async function purgeIdempotencyKeys(db: Db): Promise<number> {
  const deleted = await db
    .delete(idempotencyKeys)
    .where(lt(idempotencyKeys.createdAt, sql`now() - ${KEPT}`))
    .returning({ key: idempotencyKeys.key });
  return deleted.length;
}
