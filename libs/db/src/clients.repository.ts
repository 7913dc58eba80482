import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { Db } from './database';
import { clientAlgorithms, clients, type ClientRow, type NewClientRow, pods } from './schema';

export type ClientFields = Pick<NewClientRow, 'name' | 'version' | 'image' | 'cpu' | 'mem' | 'priority'>;

export async function insertClient(db: Db, fields: ClientFields): Promise<ClientRow> {
  const [row] = await db.insert(clients).values(fields).returning();
  if (row === undefined) throw new Error('insert into clients returned no row');
  return row;
}

export async function findClient(db: Db, id: number): Promise<ClientRow | undefined> {
  const [row] = await db.select().from(clients).where(eq(clients.id, id));
  return row;
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
    .returning();
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
    .returning();
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
    });
}

/** Names of the algorithms switched on for a client. */
export async function enabledAlgorithms(db: Db, clientId: number): Promise<string[]> {
  const rows = await db
    .select({ algorithm: clientAlgorithms.algorithm })
    .from(clientAlgorithms)
    .where(and(eq(clientAlgorithms.clientId, clientId), eq(clientAlgorithms.enabled, true)));
  return rows.map((row) => row.algorithm);
}

/** Names of the pods the leader last saw running for a client. */
export async function podNamesOfClient(db: Db, clientId: number): Promise<string[]> {
  const rows = await db.select({ name: pods.name }).from(pods).where(eq(pods.clientId, clientId)).orderBy(asc(pods.name));
  return rows.map((row) => row.name);
}
