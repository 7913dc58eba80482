import { and, eq, gt, lt, sql } from 'drizzle-orm';
import type { Db } from './database';
import { idempotencyKeys, type IdempotencyKeyRow } from './schema';

/** How long an Idempotency-Key's first answer is kept and replayed. */
export const IDEMPOTENCY_KEY_HOURS = 24;
const KEPT = sql.raw(`interval '${IDEMPOTENCY_KEY_HOURS} hours'`);

export async function findIdempotencyKey(db: Db, key: string): Promise<IdempotencyKeyRow | undefined> {
  const [row] = await db
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.key, key), gt(idempotencyKeys.createdAt, sql`now() - ${KEPT}`)));
  return row;
}

/**
 * Records the answer given for a key. An expired row with the same key is replaced; a live
 * one makes the insert fail with a unique violation, which the caller treats as a race lost.
 */
export async function saveIdempotencyKey(
  db: Db,
  row: Pick<IdempotencyKeyRow, 'key' | 'requestHash' | 'statusCode' | 'response'>,
): Promise<void> {
  await db
    .delete(idempotencyKeys)
    .where(and(eq(idempotencyKeys.key, row.key), lt(idempotencyKeys.createdAt, sql`now() - ${KEPT}`)));
  await db.insert(idempotencyKeys).values(row);
}

/** Deletes keys past their 24 hours; returns how many went. */
export async function purgeIdempotencyKeys(db: Db): Promise<number> {
  const deleted = await db
    .delete(idempotencyKeys)
    .where(lt(idempotencyKeys.createdAt, sql`now() - ${KEPT}`))
    .returning({ key: idempotencyKeys.key });
  return deleted.length;
}
