import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from './database';
import { clients } from './schema';

const ID_CHUNK = 10_000;

/**
 * Clears a client's restart request once its pods were recreated, and records them as spawned
 * now; or, `spawned` false, once a round found no pod of it to restart. It is a compare-and-set
 * on the restart request count read before the round: a request made since then bumped the
 * count, so the flag stays set and the next round restarts again. True when the flag was cleared.
 */
export async function clearRestartRequest(
  db: Db,
  clientId: number,
  seenRestartRequests: number,
  { spawned }: { spawned: boolean } = { spawned: true },
): Promise<boolean> {
  const cleared = await db
    .update(clients)
    .set(spawned ? { needRestart: false, spawnedAt: sql`now()` } : { needRestart: false })
    .where(and(eq(clients.id, clientId), eq(clients.needRestart, true), eq(clients.restartRequests, seenRestartRequests)))
    .returning({ id: clients.id });
  return cleared.length > 0;
}

/** Records that these clients' pods were (re)created now. */
export async function markClientsSpawned(db: Db, clientIds: Iterable<number>): Promise<void> {
  const ids = [...new Set(clientIds)];
  for (let start = 0; start < ids.length; start += ID_CHUNK) {
    await db
      .update(clients)
      .set({ spawnedAt: sql`now()` })
      .where(inArray(clients.id, ids.slice(start, start + ID_CHUNK)));
  }
}
