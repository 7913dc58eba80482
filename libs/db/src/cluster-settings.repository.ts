import { eq, sql } from 'drizzle-orm';
import type { Db } from './database';
import { clusterSettings } from './schema';

/** The only row of cluster_settings; its check constraint allows no other. */
const ROW_ID = 1;

/** A full round asked for and not yet served. */
export interface PendingRound {
  /** The number of the latest request; serving it serves every earlier one too. */
  request: number;
  /** Some pending request lifts the mass-deletion guard. */
  force: boolean;
}

export interface ClusterSettings {
  paused: boolean;
  pendingRound: PendingRound | undefined;
}

/** The settings; a cluster that never wrote any runs unpaused with nothing pending. */
export async function readClusterSettings(db: Db): Promise<ClusterSettings> {
  const [row] = await db.select().from(clusterSettings).where(eq(clusterSettings.id, ROW_ID));
  if (row === undefined) return { paused: false, pendingRound: undefined };
  const pending = row.roundRequests > row.roundRequestsServed;
  return {
    paused: row.paused,
    pendingRound: pending ? { request: row.roundRequests, force: row.forcedRoundRequest > row.roundRequestsServed } : undefined,
  };
}

export async function setPaused(db: Db, paused: boolean): Promise<void> {
  await db
    .insert(clusterSettings)
    .values({ id: ROW_ID, paused })
    .onConflictDoUpdate({ target: clusterSettings.id, set: { paused, updatedAt: sql`now()` } });
}

/** Records a request for a full round, `force` to lift the mass-deletion guard for it; returns what is now pending. */
export async function requestRound(db: Db, force: boolean): Promise<PendingRound> {
  const [row] = await db
    .insert(clusterSettings)
    .values({ id: ROW_ID, roundRequests: 1, forcedRoundRequest: force ? 1 : 0 })
    .onConflictDoUpdate({
      target: clusterSettings.id,
      // Every expression reads the row as it was before this update.
      set: {
        roundRequests: sql`${clusterSettings.roundRequests} + 1`,
        forcedRoundRequest: force ? sql`${clusterSettings.roundRequests} + 1` : sql`${clusterSettings.forcedRoundRequest}`,
        updatedAt: sql`now()`,
      },
    })
    .returning();
  if (row === undefined) throw new Error('upsert into cluster_settings returned no row');
  return { request: row.roundRequests, force: row.forcedRoundRequest > row.roundRequestsServed };
}

/**
 * Marks the requests up to `request` served, once a full round that started after reading them
 * has finished. Requests made since stay pending.
 */
export async function markRoundRequestServed(db: Db, request: number): Promise<void> {
  await db
    .update(clusterSettings)
    .set({ roundRequestsServed: sql`greatest(${clusterSettings.roundRequestsServed}, ${request})`, updatedAt: sql`now()` })
    .where(eq(clusterSettings.id, ROW_ID));
}
