import { eq, sql } from 'drizzle-orm';
import type { Db } from './database';
import { leaderEpoch } from './schema';

/** The only row of leader_epoch; its check constraint allows no other. */
const ROW_ID = 1;

export interface LeaderEpoch {
  epoch: number;
  replicaId: string;
  since: Date;
}

/** A write carried the epoch of a leader that has since been replaced: the writer must step down. */
export class StaleEpochError extends Error {
  constructor(
    readonly epoch: number,
    readonly currentEpoch: number | undefined,
  ) {
    super(`epoch ${epoch} is stale: the current leader epoch is ${currentEpoch ?? 'none'}`);
    this.name = 'StaleEpochError';
  }
}

export interface AdvanceEpochOptions {
  /**
   * Once the increment has waited this long, end the sessions it waits for, and again as often.
   * Only a replica that holds the lease may ask for it: whoever then still holds the epoch row
   * (assertEpochCurrent reads it FOR SHARE) is a deposed leader inside a transaction of its term,
   * frozen or stalled past its lease, whose write must not commit anyway. Without this, the new
   * term would wait for the old one for as long as it is frozen.
   */
  evictBlockersAfterMs?: number;
}

/**
 * Increments the fencing epoch for a replica that has just won the lease and returns the new
 * value. The upsert also creates the row on first use, so concurrent callers get distinct,
 * increasing epochs without a seed row.
 */
export async function advanceLeaderEpoch(db: Db, replicaId: string, options: AdvanceEpochOptions = {}): Promise<number> {
  const { evictBlockersAfterMs } = options;
  if (evictBlockersAfterMs === undefined) return incrementEpoch(db, replicaId);
  return db.transaction(async (tx) => {
    const pid = await backendPid(tx);
    // Ending sessions needs the privilege over them (the same role does); without it, this waits as it would anyway.
    const evicting = setInterval(() => void endSessionsBlocking(db, pid).catch(() => undefined), evictBlockersAfterMs);
    try {
      return await incrementEpoch(tx, replicaId);
    } finally {
      clearInterval(evicting);
    }
  });
}

async function backendPid(db: Db): Promise<number> {
  const [row] = (await db.execute(sql`select pg_backend_pid() as pid`)) as unknown as { pid: number }[];
  if (row === undefined) throw new Error('pg_backend_pid() returned no row');
  return row.pid;
}

async function endSessionsBlocking(db: Db, pid: number): Promise<void> {
  await db.execute(sql`select pg_terminate_backend(blocker) from unnest(pg_blocking_pids(${pid})) as blocker`);
}

async function incrementEpoch(db: Db, replicaId: string): Promise<number> {
  const [row] = await db
    .insert(leaderEpoch)
    .values({ id: ROW_ID, epoch: 1, replicaId, since: sql`now()` })
    .onConflictDoUpdate({
      target: leaderEpoch.id,
      set: { epoch: sql`${leaderEpoch.epoch} + 1`, replicaId, since: sql`now()` },
    })
    .returning({ epoch: leaderEpoch.epoch });
  if (row === undefined) throw new Error('upsert into leader_epoch returned no row');
  return row.epoch;
}

/** The latest leader recorded, or undefined when no replica has ever led. */
export async function currentLeaderEpoch(db: Db): Promise<LeaderEpoch | undefined> {
  const [row] = await db.select().from(leaderEpoch).where(eq(leaderEpoch.id, ROW_ID));
  if (row === undefined || row.replicaId === null || row.since === null) return undefined;
  return { epoch: row.epoch, replicaId: row.replicaId, since: row.since };
}

/**
 * Call inside the transaction of a leader's write: throws StaleEpochError unless `epoch` is still
 * current. The row is read FOR SHARE, so a successor's increment waits until this transaction
 * ends; a write that passed this check therefore commits before any newer epoch exists.
 */
export async function assertEpochCurrent(tx: Db, epoch: number): Promise<void> {
  const [row] = await tx.select({ epoch: leaderEpoch.epoch }).from(leaderEpoch).where(eq(leaderEpoch.id, ROW_ID)).for('share');
  if (row?.epoch !== epoch) throw new StaleEpochError(epoch, row?.epoch);
}
