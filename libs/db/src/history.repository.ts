import { and, asc, gte, lt, sql } from 'drizzle-orm';
import type { Db } from './database';
import { operations, syncRounds } from './schema';

/** The history tables the retention purge bounds, by their SQL names (the metric's `table` label). */
export const HISTORY_TABLES = ['operations', 'sync_rounds'] as const;
export type HistoryTable = (typeof HISTORY_TABLES)[number];

/**
 * Each table's id and the time its age is measured by. Both are appended to in id order at about
 * that time (an operation is recorded when it finishes, a round when it starts), so ids follow
 * the time closely: the purge finds the boundary on the primary key and deletes id ranges, and
 * needs no index on the time, which every insert would have to maintain.
 */
const COLUMNS = {
  operations: { table: operations, id: operations.id, time: operations.finishedAt },
  sync_rounds: { table: syncRounds, id: syncRounds.id, time: syncRounds.startedAt },
} as const;

interface IdAndTime {
  id: number;
  time: Date;
}

/** The first row at or after `id` (and before `before`), by primary key. */
async function firstRowFrom(db: Db, name: HistoryTable, id: number, before: number): Promise<IdAndTime | undefined> {
  const { table, id: idColumn, time } = COLUMNS[name];
  const [row] = await db
    .select({ id: idColumn, time })
    .from(table)
    .where(and(gte(idColumn, id), lt(idColumn, before)))
    .orderBy(asc(idColumn))
    .limit(1);
  return row;
}

/** The ids a purge of rows older than `cutoff` covers: from the oldest row up to, not including, `boundary`. */
export interface PurgeRange {
  first: number;
  boundary: number;
}

/**
 * Finds the range of ids older than `cutoff`: a binary search over the id space, each step one
 * primary-key lookup (about 23 for 5 million rows), so no scan and no index on the time is needed.
 * Undefined when no row is older. Rows out of time order within the range are left to the delete's
 * own time check, so a row is never purged before its age.
 */
export async function findPurgeRange(db: Db, name: HistoryTable, cutoff: Date): Promise<PurgeRange | undefined> {
  const { table, id } = COLUMNS[name];
  const [bounds] = await db.select({ first: sql<string | null>`min(${id})`, last: sql<string | null>`max(${id})` }).from(table);
  if (bounds?.first === null || bounds?.first === undefined || bounds.last === null) return undefined;
  // Every row below `low` is older than the cutoff; every row from `high` on is not.
  let low = Number(bounds.first);
  let high = Number(bounds.last) + 1;
  while (low < high) {
    const middle = low + Math.floor((high - low) / 2);
    const row = await firstRowFrom(db, name, middle, high);
    if (row === undefined || row.time >= cutoff) high = middle;
    else low = row.id + 1;
  }
  const first = Number(bounds.first);
  return high > first ? { first, boundary: high } : undefined;
}

/**
 * Deletes the rows with ids in [from, to) older than `cutoff`, by primary key, and returns how
 * many went. Call it with a small range, in its own short transaction, so that nothing waits
 * behind it.
 */
export async function purgeHistoryRange(db: Db, name: HistoryTable, from: number, to: number, cutoff: Date): Promise<number> {
  const { table, id, time } = COLUMNS[name];
  const deleted = await db
    .delete(table)
    .where(and(gte(id, from), lt(id, to), lt(time, cutoff)))
    .returning({ id });
  return deleted.length;
}
