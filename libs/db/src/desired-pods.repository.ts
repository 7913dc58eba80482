import { and, asc, eq, gt, inArray, type SQL } from 'drizzle-orm';
import type { Db } from './database';
import { clientAlgorithms, clients } from './schema';

/** One enabled algorithm of a client, with the client fields its pod is built from. */
export interface DesiredPodRow {
  clientId: number;
  algorithm: string;
  image: string;
  version: number;
  cpu: string;
  mem: string;
  priority: number;
  needRestart: boolean;
  /** The client's restart request count as read: what clearing needRestart compares against. */
  restartRequests: number;
}

export interface DesiredPodQuery {
  /** The algorithm catalogue: a flag of an algorithm outside it asks for no pod. */
  algorithms: readonly string[];
  /** Clients read per query. */
  batchSize: number;
  /** Only these clients; every client when left out. */
  clientIds?: Iterable<number>;
}

/**
 * The pods the database asks for, clients × enabled algorithms, read `batchSize` clients at a
 * time in client id order (keyset on the primary key), so a large table is never held in one
 * result. Each batch is its own statement: a client written meanwhile shows up in the state of
 * the batch that reads it, which a level-triggered round tolerates.
 */
export async function* desiredPodBatches(db: Db, query: DesiredPodQuery): AsyncGenerator<DesiredPodRow[]> {
  if (!(Number.isInteger(query.batchSize) && query.batchSize > 0)) {
    throw new RangeError(`batchSize must be a positive whole number, not ${query.batchSize}`);
  }
  if (query.clientIds !== undefined) {
    const ids = [...new Set(query.clientIds)].sort((a, b) => a - b);
    for (let start = 0; start < ids.length; start += query.batchSize) {
      const batch = await readBatch(db, query, inArray(clients.id, ids.slice(start, start + query.batchSize)));
      if (batch.pods.length > 0) yield batch.pods;
    }
    return;
  }
  let afterId: number | undefined;
  for (;;) {
    const batch = await readBatch(db, query, afterId === undefined ? undefined : gt(clients.id, afterId));
    if (batch.lastClientId === undefined) return;
    if (batch.pods.length > 0) yield batch.pods;
    afterId = batch.lastClientId;
  }
}

/** Up to `batchSize` clients matching `filter`, and the last client id read, also when none of them asks for a pod. */
async function readBatch(
  db: Db,
  query: DesiredPodQuery,
  filter: SQL | undefined,
): Promise<{ pods: DesiredPodRow[]; lastClientId: number | undefined }> {
  const batch = db.$with('batch').as(
    db
      .select({
        clientId: clients.id,
        image: clients.image,
        version: clients.version,
        cpu: clients.cpu,
        mem: clients.mem,
        priority: clients.priority,
        needRestart: clients.needRestart,
        restartRequests: clients.restartRequests,
      })
      .from(clients)
      .where(filter)
      .orderBy(asc(clients.id))
      .limit(query.batchSize),
  );
  // A left join keeps clients without an enabled algorithm, so the keyset moves past them.
  const rows = await db
    .with(batch)
    .select({
      clientId: batch.clientId,
      image: batch.image,
      version: batch.version,
      cpu: batch.cpu,
      mem: batch.mem,
      priority: batch.priority,
      needRestart: batch.needRestart,
      restartRequests: batch.restartRequests,
      algorithm: clientAlgorithms.algorithm,
    })
    .from(batch)
    .leftJoin(
      clientAlgorithms,
      and(
        eq(clientAlgorithms.clientId, batch.clientId),
        eq(clientAlgorithms.enabled, true),
        inArray(clientAlgorithms.algorithm, [...query.algorithms]),
      ),
    )
    .orderBy(asc(batch.clientId), asc(clientAlgorithms.algorithm));
  const pods: DesiredPodRow[] = [];
  for (const { algorithm, ...client } of rows) {
    if (algorithm !== null) pods.push({ ...client, algorithm });
  }
  return { pods, lastClientId: rows.at(-1)?.clientId };
}
