import { desc, eq, lt, sql } from 'drizzle-orm';
import type { Db } from './database';
import { type SyncRoundRow, syncRounds, type SyncTrigger } from './schema';

export interface SyncRoundStart {
  epoch: number;
  replicaId: string;
  trigger: SyncTrigger;
  /** Null for a full round; else the clients it reconciles. */
  scope: number[] | null;
  paused: boolean;
}

export interface SyncRoundOutcome {
  planned: number;
  done: number;
  failed: number;
  guarded: boolean;
  /** Why the round ended early; null when it ran to the end. */
  error: string | null;
}

export async function insertSyncRound(db: Db, start: SyncRoundStart): Promise<SyncRoundRow> {
  const [row] = await db.insert(syncRounds).values(start).returning();
  if (row === undefined) throw new Error('insert into sync_rounds returned no row');
  return row;
}

/** Records the end of a round, on the database's clock as its start was. */
export async function finishSyncRound(db: Db, id: number, outcome: SyncRoundOutcome): Promise<SyncRoundRow> {
  const [row] = await db
    .update(syncRounds)
    .set({ ...outcome, finishedAt: sql`clock_timestamp()` })
    .where(eq(syncRounds.id, id))
    .returning();
  if (row === undefined) throw new Error(`sync round ${id} does not exist`);
  return row;
}

/**
 * Removes the row of a round that need not be kept (an event-driven round that planned nothing)
 * and returns it as it was.
 */
export async function discardSyncRound(db: Db, id: number): Promise<SyncRoundRow> {
  const [row] = await db.delete(syncRounds).where(eq(syncRounds.id, id)).returning();
  if (row === undefined) throw new Error(`sync round ${id} does not exist`);
  return row;
}

/** Keyset page of rounds, newest first. */
export async function latestSyncRounds(db: Db, page: { limit: number; beforeId?: number }): Promise<SyncRoundRow[]> {
  return db
    .select()
    .from(syncRounds)
    .where(page.beforeId === undefined ? undefined : lt(syncRounds.id, page.beforeId))
    .orderBy(desc(syncRounds.id))
    .limit(page.limit);
}
