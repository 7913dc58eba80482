import { asc, gt, inArray, type SQL, sql } from 'drizzle-orm';
import type { Db } from './database';
import { clients } from './schema';

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
}

/** A client that asked for a restart, with its restart request count as read: what clearing needRestart compares against. */
export interface RestartRequest {
  clientId: number;
  restartRequests: number;
}

export interface DesiredPodBatch {
  pods: DesiredPodRow[];
  /**
   * The batch's clients whose needRestart is set, also those that ask for no pod: a round clears
   * their request too, as there is nothing to restart.
   */
  restartRequests: RestartRequest[];
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
export async function* desiredPodBatches(db: Db, query: DesiredPodQuery): AsyncGenerator<DesiredPodBatch> {
  if (!(Number.isInteger(query.batchSize) && query.batchSize > 0)) {
    throw new RangeError(`batchSize must be a positive whole number, not ${query.batchSize}`);
  }
  if (query.clientIds !== undefined) {
    const ids = [...new Set(query.clientIds)].sort((a, b) => a - b);
    for (let start = 0; start < ids.length; start += query.batchSize) {
      const { batch } = await readBatch(db, query, inArray(clients.id, ids.slice(start, start + query.batchSize)));
      if (!isEmpty(batch)) yield batch;
    }
    return;
  }
  let afterId: number | undefined;
  for (;;) {
    const { batch, lastClientId } = await readBatch(db, query, afterId === undefined ? undefined : gt(clients.id, afterId));
    if (lastClientId === undefined) return;
    if (!isEmpty(batch)) yield batch;
    afterId = lastClientId;
  }
}

function isEmpty(batch: DesiredPodBatch): boolean {
  return batch.pods.length === 0 && batch.restartRequests.length === 0;
}

/** Up to `batchSize` clients matching `filter`, and the last client id read, also when none of them asks for a pod. */
async function readBatch(
  db: Db,
  query: DesiredPodQuery,
  filter: SQL | undefined,
): Promise<{ batch: DesiredPodBatch; lastClientId: number | undefined }> {
  // One row per client with its enabled catalogue algorithms joined into one text (names are
  // letters and digits, so a comma separates them): a third of the rows a join would return, each
  // looked up on the client_algorithms primary key, and a client without any still yields a row,
  // so the keyset moves past it. A text rather than an array reads the same on both drivers.
  const catalogue = sql.join(
    query.algorithms.map((name) => sql`${name}`),
    sql`, `,
  );
  // Written out qualified: drizzle leaves columns of a one-table select unqualified, which inside
  // the subquery would leave "id" to be resolved by the tables in scope.
  const algorithms = sql<string>`array_to_string(array(
    select client_algorithms.algorithm from client_algorithms
    where client_algorithms.client_id = clients.id
      and client_algorithms.enabled
      and client_algorithms.algorithm in (${catalogue})
    order by client_algorithms.algorithm), ',')`;
  const rows = await db
    .select({
      clientId: clients.id,
      image: clients.image,
      version: clients.version,
      cpu: clients.cpu,
      mem: clients.mem,
      priority: clients.priority,
      needRestart: clients.needRestart,
      restartRequests: clients.restartRequests,
      algorithms,
    })
    .from(clients)
    .where(filter)
    .orderBy(asc(clients.id))
    .limit(query.batchSize);
  const pods: DesiredPodRow[] = [];
  const restartRequests: RestartRequest[] = [];
  for (const row of rows) {
    if (row.needRestart) restartRequests.push({ clientId: row.clientId, restartRequests: row.restartRequests });
    if (row.algorithms === '') continue;
    for (const algorithm of row.algorithms.split(',')) {
      // Spelled out: V8 builds a literal of known shape many times faster than a spread with an added key.
      pods.push({
        clientId: row.clientId,
        algorithm,
        image: row.image,
        version: row.version,
        cpu: row.cpu,
        mem: row.mem,
        priority: row.priority,
        needRestart: row.needRestart,
      });
    }
  }
  return { batch: { pods, restartRequests }, lastClientId: rows.at(-1)?.clientId };
}
