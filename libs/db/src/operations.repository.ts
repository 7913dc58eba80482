import { and, desc, eq, lt } from 'drizzle-orm';
import type { Db } from './database';
import { operations, type NewOperationRow, type OperationRow } from './schema';

export async function insertOperation(db: Db, row: NewOperationRow): Promise<OperationRow> {
  const [inserted] = await db.insert(operations).values(row).returning();
  if (inserted === undefined) throw new Error('insert into operations returned no row');
  return inserted;
}

/** Keyset page of the audit history, newest first, optionally of one client. */
export async function listOperations(
  db: Db,
  filter: { clientId: number | undefined; beforeId: number | undefined; limit: number },
): Promise<OperationRow[]> {
  return db
    .select()
    .from(operations)
    .where(
      and(
        filter.clientId === undefined ? undefined : eq(operations.clientId, filter.clientId),
        filter.beforeId === undefined ? undefined : lt(operations.id, filter.beforeId),
      ),
    )
    .orderBy(desc(operations.id))
    .limit(filter.limit);
}
