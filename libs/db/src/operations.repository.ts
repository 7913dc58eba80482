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

/** An operation as `podsync.ops.*` carries it and GET /api/v1/operations lists it. */
export interface OperationMessage {
  id: number;
  epoch: number;
  round: number | null;
  replicaId: string;
  kind: string;
  pod: string;
  clientId: number;
  algorithm: string;
  result: string;
  /** Why a restart recreated the pod. */
  reason?: string;
  error?: string;
  at: string;
}

export function operationMessage(row: OperationRow): OperationMessage {
  return {
    id: row.id,
    epoch: row.epoch,
    round: row.round,
    replicaId: row.replicaId,
    kind: row.kind,
    pod: row.pod,
    clientId: row.clientId,
    algorithm: row.algorithm,
    result: row.result,
    ...(row.reason === null ? {} : { reason: row.reason }),
    ...(row.error === null ? {} : { error: row.error }),
    at: row.finishedAt.toISOString(),
  };
}
