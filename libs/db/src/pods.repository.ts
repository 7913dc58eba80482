import { asc, count, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from './database';
import { assertEpochCurrent } from './leader-epoch.repository';
import { pods } from './schema';

/** A pod as the leader last saw it: what the deployer reports, stored in the pods table. */
export interface ObservedPod {
  name: string;
  clientId: number;
  algorithm: string;
  specHash: string;
  /** The epoch of the leader that created the pod. */
  epoch: number;
}

/** Rows per INSERT and ids per IN list: well under PostgreSQL's 65,535 bind parameters. */
const INSERT_CHUNK = 1_000;
const ID_CHUNK = 10_000;

const observedColumns = {
  name: pods.name,
  clientId: pods.clientId,
  algorithm: pods.algorithm,
  specHash: pods.specHash,
  epoch: pods.epoch,
};

/**
 * Makes the pods table exactly `listing`, a full listing of the deployer, in one transaction
 * that the leader of `epoch` alone may commit: readers see the old table or the new one.
 */
export async function replacePods(db: Db, epoch: number, listing: readonly ObservedPod[]): Promise<void> {
  await db.transaction(async (tx) => {
    await assertEpochCurrent(tx, epoch);
    await tx.delete(pods);
    for (let start = 0; start < listing.length; start += INSERT_CHUNK) {
      await tx.insert(pods).values(listing.slice(start, start + INSERT_CHUNK).map(observedRow));
    }
  });
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
