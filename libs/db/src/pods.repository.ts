import { and, asc, count, eq, gt, inArray, sql } from 'drizzle-orm';
import type { PodCounts, PodPhase } from '@podsync/domain';
import type { Db } from './database';
import { assertEpochCurrent } from './leader-epoch.repository';
import { clientAlgorithms, type PodRow, pods } from './schema';

/** A pod as the leader last saw it: what the deployer reports, stored in the pods table. */
export interface ObservedPod {
  name: string;
  clientId: number;
  algorithm: string;
  specHash: string;
  /** The epoch of the leader that created the pod. */
  epoch: number;
}

/** Ids per IN list: well under PostgreSQL's 65,535 bind parameters. */
const ID_CHUNK = 10_000;
/** Pods per upsert statement: about 1 MB of JSON. */
const UPSERT_CHUNK = 10_000;

const observedColumns = {
  name: pods.name,
  clientId: pods.clientId,
  algorithm: pods.algorithm,
  specHash: pods.specHash,
  epoch: pods.epoch,
};

/**
 * Makes the pods table exactly `listing`, a full listing of the deployer, in one transaction
 * that the leader of `epoch` alone may commit: readers see the old table or the new one. Only
 * the difference is written: in the steady state the table already matches (each operation
 * updated it), and rewriting every row each round cost far more than reading them.
 * `observed_at` therefore says when a row was last written, not when it was last listed.
 */
export async function replacePods(db: Db, epoch: number, listing: readonly ObservedPod[]): Promise<void> {
  await db.transaction(async (tx) => {
    await assertEpochCurrent(tx, epoch);
    // Writers wait until this transaction ends, so the difference stays exact; readers go on.
    await tx.execute(sql`lock table pods in share row exclusive mode`);
    // What is left in `toWrite` once the table has been read is new or changed.
    const toWrite = new Map(listing.map((pod) => [pod.name, pod]));
    const gone: string[] = [];
    for (const stored of await tx.select(observedColumns).from(pods)) {
      const listed = toWrite.get(stored.name);
      if (listed === undefined) gone.push(stored.name);
      else if (samePod(stored, listed)) toWrite.delete(stored.name);
    }
    await deletePods(tx, gone);
    await upsertPods(tx, [...toWrite.values()]);
  });
}

function samePod(stored: ObservedPod, listed: ObservedPod): boolean {
  return (
    stored.clientId === listed.clientId &&
    stored.algorithm === listed.algorithm &&
    stored.specHash === listed.specHash &&
    stored.epoch === listed.epoch
  );
}

/** Records pods just created (or recreated), many at once. */
export async function upsertPods(db: Db, observed: readonly ObservedPod[]): Promise<void> {
  for (let start = 0; start < observed.length; start += UPSERT_CHUNK) {
    await upsertChunk(db, observed.slice(start, start + UPSERT_CHUNK));
  }
}

/** Forgets deleted pods, many at once. */
export async function deletePods(db: Db, names: readonly string[]): Promise<void> {
  for (let start = 0; start < names.length; start += ID_CHUNK) {
    await db.delete(pods).where(inArray(pods.name, names.slice(start, start + ID_CHUNK)));
  }
}

/**
 * Writes many pods in one statement: the rows travel as one JSON parameter, which costs a small
 * fraction of what building a multi-row VALUES list with one parameter per field does.
 */
async function upsertChunk(db: Db, listed: readonly ObservedPod[]): Promise<void> {
  const rows = listed.map((pod) => ({
    name: pod.name,
    client_id: pod.clientId,
    algorithm: pod.algorithm,
    spec_hash: pod.specHash,
    epoch: pod.epoch,
  }));
  await db.execute(sql`
    insert into pods (name, client_id, algorithm, spec_hash, epoch)
    select name, client_id, algorithm, spec_hash, epoch
    from json_to_recordset(${JSON.stringify(rows)}::json)
      as listed(name varchar, client_id bigint, algorithm varchar, spec_hash varchar, epoch bigint)
    on conflict (name) do update set
      client_id = excluded.client_id,
      algorithm = excluded.algorithm,
      spec_hash = excluded.spec_hash,
      epoch = excluded.epoch,
      observed_at = now()`);
}

/** Records a pod just created (or recreated). */
export async function upsertPod(db: Db, pod: ObservedPod): Promise<void> {
  await db
    .insert(pods)
    .values(observedRow(pod))
    .onConflictDoUpdate({
      target: pods.name,
      set: { clientId: pod.clientId, algorithm: pod.algorithm, specHash: pod.specHash, epoch: pod.epoch, observedAt: sql`now()` },
    });
}

export async function deletePod(db: Db, name: string): Promise<void> {
  await db.delete(pods).where(eq(pods.name, name));
}

/** The pods last seen running for these clients. */
export async function podsOfClients(db: Db, clientIds: Iterable<number>): Promise<ObservedPod[]> {
  const ids = [...new Set(clientIds)];
  const found: ObservedPod[] = [];
  for (let start = 0; start < ids.length; start += ID_CHUNK) {
    found.push(
      ...(await db
        .select(observedColumns)
        .from(pods)
        .where(inArray(pods.clientId, ids.slice(start, start + ID_CHUNK)))),
    );
  }
  return found;
}

/** Every pod last seen running, by name. */
export async function allPods(db: Db): Promise<ObservedPod[]> {
  return db.select(observedColumns).from(pods).orderBy(asc(pods.name));
}

export async function countPods(db: Db): Promise<number> {
  const [row] = await db.select({ pods: count() }).from(pods);
  return row?.pods ?? 0;
}

function observedRow(pod: ObservedPod): typeof pods.$inferInsert {
  return { name: pod.name, clientId: pod.clientId, algorithm: pod.algorithm, specHash: pod.specHash, epoch: pod.epoch };
}

/** Which observed pods GET /api/v1/pods asks for: each filter left out matches every pod. */
export interface PodFilter {
  clientId?: number;
  /** In the catalogue's spelling. */
  algorithm?: string;
  phase?: PodPhase;
  ready?: boolean;
  /** Keyset: only pods named after this one. */
  afterName?: string;
  limit: number;
}

/**
 * Keyset page of the observed pods in name order. The primary key serves paging by name,
 * pods_client_id_idx one client's pods, and pods_unready_name_idx `ready: false`, whose predicate
 * the condition is written to match.
 */
export async function listPods(db: Db, filter: PodFilter): Promise<PodRow[]> {
  return db
    .select()
    .from(pods)
    .where(
      and(
        filter.afterName === undefined ? undefined : gt(pods.name, filter.afterName),
        filter.clientId === undefined ? undefined : eq(pods.clientId, filter.clientId),
        filter.algorithm === undefined ? undefined : eq(pods.algorithm, filter.algorithm),
        filter.phase === undefined ? undefined : eq(pods.phase, filter.phase),
        filter.ready === undefined ? undefined : filter.ready ? sql`${pods.ready}` : sql`not ${pods.ready}`,
      ),
    )
    .orderBy(asc(pods.name))
    .limit(filter.limit);
}

/**
 * The cluster's pods counted in one statement: desired from the flags (client_algorithms rows go
 * with their client, so each enabled row of a catalogue algorithm is one pod asked for), the rest
 * from the observed state. Both tables are read whole; this serves an operator's view, not a hot
 * path.
 */
export async function countClusterPods(db: Db, algorithms: readonly string[]): Promise<PodCounts> {
  const [row] = await db
    .select({
      desired: sql<number>`(select count(*) from ${clientAlgorithms}
        where ${clientAlgorithms.enabled} and ${inArray(clientAlgorithms.algorithm, [...algorithms])})`.mapWith(Number),
      running: sql<number>`count(*) filter (where ${pods.phase} = 'Running')`.mapWith(Number),
      ready: sql<number>`count(*) filter (where ${pods.ready})`.mapWith(Number),
      pending: sql<number>`count(*) filter (where ${pods.phase} = 'Pending')`.mapWith(Number),
      failed: sql<number>`count(*) filter (where ${pods.phase} = 'Failed')`.mapWith(Number),
    })
    .from(pods);
  return row ?? { desired: 0, running: 0, ready: 0, pending: 0, failed: 0 };
}
