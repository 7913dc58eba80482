import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { PodPhase } from '@podsync/domain';
import type { Db } from './database';
import { clientAlgorithms, clients, type ClientRow, type NewClientRow } from './schema';

export type ClientFields = Pick<NewClientRow, 'name' | 'version' | 'image' | 'cpu' | 'mem' | 'priority'>;

export async function insertClient(db: Db, fields: ClientFields): Promise<ClientRow> {
  const [row] = await db.insert(clients).values(fields).returning().prepare('insert_client').execute();
  if (row === undefined) throw new Error('insert into clients returned no row');
  return row;
}

export async function findClient(db: Db, id: number): Promise<ClientRow | undefined> {
  const [row] = await db.select().from(clients).where(eq(clients.id, id));
  return row;
}

/** One of a client's pods with its health, as the client view shows it. */
export interface ClientPodRow {
  name: string;
  algorithm: string;
  phase: PodPhase;
  ready: boolean;
  restarts: number;
  reason: string | null;
  since: Date;
}

export interface ClientDetailsRow {
  client: ClientRow;
  /** Algorithms switched on. */
  enabled: string[];
  /** Pods the leader last saw, by name. */
  pods: ClientPodRow[];
}

/** A pod as the details statement's JSON carries it: `since` in epoch milliseconds, which no time zone setting changes. */
type ClientPodJson = Omit<ClientPodRow, 'since'> & { since: number };

const detailsStatements = new WeakMap<Db, ReturnType<typeof prepareClientDetails>>();

function prepareClientDetails(db: Db) {
  return db
    .select({
      client: clients,
      enabled: sql<
        string[]
      >`array(select ${clientAlgorithms.algorithm} from ${clientAlgorithms} where ${clientAlgorithms.clientId} = ${clients.id} and ${clientAlgorithms.enabled} order by 1)`,
      // One JSON array, so that the client, its flags and its pods stay one statement and one row.
      // Written out qualified, as drizzle leaves the columns of a one-table select unqualified.
      pods: sql<ClientPodJson[]>`(select coalesce(json_agg(json_build_object(
          'name', pods.name, 'algorithm', pods.algorithm, 'phase', pods.phase, 'ready', pods.ready,
          'restarts', pods.restarts, 'reason', pods.reason,
          'since', floor(extract(epoch from pods.since) * 1000)) order by pods.name), '[]')
        from pods where pods.client_id = clients.id)`,
    })
    .from(clients)
    .where(eq(clients.id, sql.placeholder('id')))
    .prepare('find_client_details');
}

/**
 * A client with its flags and pods in one statement, prepared once per pool: the API's hottest
 * read, so it skips rebuilding its SQL and re-parsing it on the server on every call. Not for a
 * transaction, whose statements belong to its own connection.
 */
export async function findClientDetails(db: Db, id: number): Promise<ClientDetailsRow | undefined> {
  let statement = detailsStatements.get(db);
  if (statement === undefined) {
    statement = prepareClientDetails(db);
    detailsStatements.set(db, statement);
  }
  const [row] = await statement.execute({ id });
  if (row === undefined) return undefined;
  return { ...row, pods: row.pods.map((pod) => ({ ...pod, since: new Date(pod.since) })) };
}

/** Keyset page: clients with an id above `afterId`, in id order. */
export async function listClients(db: Db, afterId: number | undefined, limit: number): Promise<ClientRow[]> {
  return db
    .select()
    .from(clients)
    .where(afterId === undefined ? undefined : gt(clients.id, afterId))
    .orderBy(asc(clients.id))
    .limit(limit);
}

export async function replaceClient(db: Db, id: number, fields: ClientFields): Promise<ClientRow | undefined> {
  const [row] = await db
    .update(clients)
    .set({ ...fields, updatedAt: sql`now()` })
    .where(eq(clients.id, id))
    .returning()
    .prepare('replace_client')
    .execute();
  return row;
}

export async function deleteClient(db: Db, id: number): Promise<ClientRow | undefined> {
  const [row] = await db.delete(clients).where(eq(clients.id, id)).returning();
  return row;
}

/** Sets or clears the restart request; undefined leaves it and only touches updated_at. */
export async function touchClientStatus(db: Db, id: number, needRestart: boolean | undefined): Promise<ClientRow | undefined> {
  const [row] = await db
    .update(clients)
    .set(needRestart === undefined ? { updatedAt: sql`now()` } : { needRestart, updatedAt: sql`now()` })
    .where(eq(clients.id, id))
    .returning()
    .prepare('touch_client_status')
    .execute();
  return row;
}

export async function setAlgorithmFlags(db: Db, clientId: number, flags: Record<string, boolean>): Promise<void> {
  const rows = Object.entries(flags).map(([algorithm, enabled]) => ({ clientId, algorithm, enabled }));
  if (rows.length === 0) return;
  await db
    .insert(clientAlgorithms)
    .values(rows)
    .onConflictDoUpdate({
      target: [clientAlgorithms.clientId, clientAlgorithms.algorithm],
      set: { enabled: sql`excluded.enabled`, updatedAt: sql`now()` },
    })
    .prepare('set_algorithm_flags')
    .execute();
}

/** Names of the algorithms switched on for a client. */
export async function enabledAlgorithms(db: Db, clientId: number): Promise<string[]> {
  const rows = await db
    .select({ algorithm: clientAlgorithms.algorithm })
    .from(clientAlgorithms)
    .where(and(eq(clientAlgorithms.clientId, clientId), eq(clientAlgorithms.enabled, true)))
    .prepare('enabled_algorithms')
    .execute();
  return rows.map((row) => row.algorithm);
}
