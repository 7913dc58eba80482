import type { ActualPod, PodCounts, PodHealth, PodPhase } from '@podsync/domain';
import { and, asc, count, eq, gt, inArray, sql } from 'drizzle-orm';
import type { Db } from './database';
import { assertEpochCurrent } from './leader-epoch.repository';
import { clientAlgorithms, pods, type PodRow } from './schema';

/** A pod as the leader last saw it: what the deployer reports, stored in the pods table. */
export interface ObservedPod extends ActualPod {
  /** Last change of phase or readiness, as the leader saw it. */
  since: Date;
}

/** A pod the leader has just created: the spec it asked for. Its health comes from the watch. */
export type CreatedPod = Omit<ActualPod, 'health'>;

/** The part of a pod's health whose every change is announced. */
export interface PodStatus {
  phase: PodPhase;
  ready: boolean;
}

/** A pod whose phase or readiness changed, or that appeared (`from` null). */
export interface PodStatusChange {
  pod: ActualPod;
  from: PodStatus | null;
  to: PodStatus;
}

/** What a write of observations changed in the pods table. */
export interface PodsWritten {
  statusChanges: PodStatusChange[];
  /** Pods no longer in the table, as they were last seen. */
  removed: ActualPod[];
}

/** What a watch saw of one pod: it is now as given, or it is gone. */
export type PodObservation = { kind: 'seen'; pod: ActualPod } | { kind: 'gone'; pod: ActualPod };

/** Ids per IN list: well under PostgreSQL's 65,535 bind parameters. */
const ID_CHUNK = 10_000;
/** Pods per upsert statement: about 2 MB of JSON. */
const UPSERT_CHUNK = 10_000;

const observedColumns = {
  name: pods.name,
  clientId: pods.clientId,
  algorithm: pods.algorithm,
  specHash: pods.specHash,
  epoch: pods.epoch,
  phase: pods.phase,
  ready: pods.ready,
  restarts: pods.restarts,
  reason: pods.reason,
  message: pods.message,
  node: pods.node,
  since: pods.since,
};

type ObservedRow = Pick<PodRow, keyof typeof observedColumns>;

/**
 * Makes the pods table exactly `listing`, a full listing of the deployer, in one transaction
 * that the leader of `epoch` alone may commit: readers see the old table or the new one. Only
 * the difference is written: in the steady state the table already matches (the watch and each
 * operation updated it), and rewriting every row each round cost far more than reading them.
 * `observed_at` therefore says when a row was last written, not when it was last listed.
 * Pods named in `skip` are left as the table has them: the watch has written something newer
 * than the listing about them.
 */
export async function replacePods(
  db: Db,
  epoch: number,
  listing: readonly ActualPod[],
  skip: ReadonlySet<string> = new Set(),
): Promise<PodsWritten> {
  return db.transaction(async (tx) => {
    await assertEpochCurrent(tx, epoch);
    // Writers wait until this transaction ends, so the difference stays exact; readers go on.
    await tx.execute(sql`lock table pods in share row exclusive mode`);
    // What is left in `toWrite` once the table has been read is new or changed.
    const toWrite = new Map(listing.filter((pod) => !skip.has(pod.name)).map((pod) => [pod.name, pod]));
    const written: PodsWritten = { statusChanges: [], removed: [] };
    const stored = new Map<string, ObservedRow>();
    for (const row of await tx.select(observedColumns).from(pods)) {
      if (skip.has(row.name)) continue;
      const listed = toWrite.get(row.name);
      if (listed === undefined) written.removed.push(observedPod(row));
      else if (samePod(row, listed)) toWrite.delete(row.name);
      else stored.set(row.name, row);
    }
    for (const pod of toWrite.values()) {
      const change = statusChange(stored.get(pod.name), pod);
      if (change !== undefined) written.statusChanges.push(change);
    }
    await deletePods(
      tx,
      written.removed.map((pod) => pod.name),
    );
    await writeObservedPods(tx, [...toWrite.values()]);
    return written;
  });
}

/**
 * Writes what a watch saw, many pods in one transaction that the leader of `epoch` alone may
 * commit. When a pod appears more than once the last observation counts, except that a pod seen
 * gone and then seen again is a new pod (deleted and created again): it is written as one, so a
 * replacement that failed like the pod before it is still a change. `since` moves only when the
 * phase or readiness changes.
 */
export async function applyPodObservations(db: Db, epoch: number, observations: readonly PodObservation[]): Promise<PodsWritten> {
  const latest = new Map<string, { observation: PodObservation; recreated: boolean }>();
  for (const observation of observations) {
    const earlier = latest.get(observation.pod.name);
    const recreated = (earlier?.recreated ?? false) || (earlier?.observation.kind === 'gone' && observation.kind === 'seen');
    latest.set(observation.pod.name, { observation, recreated });
  }
  return db.transaction(async (tx) => {
    await assertEpochCurrent(tx, epoch);
    const names = [...latest.keys()];
    const stored = new Map<string, ObservedRow>();
    for (let start = 0; start < names.length; start += ID_CHUNK) {
      const rows = await tx
        .select(observedColumns)
        .from(pods)
        .where(inArray(pods.name, names.slice(start, start + ID_CHUNK)))
        .for('update');
      for (const row of rows) stored.set(row.name, row);
    }
    const written: PodsWritten = { statusChanges: [], removed: [] };
    const toWrite: ActualPod[] = [];
    const replaced: string[] = [];
    for (const { observation, recreated } of latest.values()) {
      const row = stored.get(observation.pod.name);
      if (observation.kind === 'gone') {
        // A row of another spec or epoch is the pod created since, recorded before the watch got here.
        if (row !== undefined && row.specHash === observation.pod.specHash && row.epoch === observation.pod.epoch) {
          written.removed.push(observedPod(row));
        }
        continue;
      }
      if (recreated && row !== undefined) replaced.push(row.name);
      const previous = recreated ? undefined : row;
      if (previous !== undefined && samePod(previous, observation.pod)) continue;
      toWrite.push(observation.pod);
      const change = statusChange(previous, observation.pod);
      if (change !== undefined) written.statusChanges.push(change);
    }
    await deletePods(tx, [...written.removed.map((pod) => pod.name), ...replaced]);
    await writeObservedPods(tx, toWrite);
    return written;
  });
}

function statusChange(row: ObservedRow | undefined, pod: ActualPod): PodStatusChange | undefined {
  const to = { phase: pod.health.phase, ready: pod.health.ready };
  if (row === undefined) return { pod, from: null, to };
  if (row.phase === to.phase && row.ready === to.ready) return undefined;
  return { pod, from: { phase: row.phase, ready: row.ready }, to };
}

function samePod(stored: ObservedRow, listed: ActualPod): boolean {
  const health = listed.health;
  return (
    stored.clientId === listed.clientId &&
    stored.algorithm === listed.algorithm &&
    stored.specHash === listed.specHash &&
    stored.epoch === listed.epoch &&
    stored.phase === health.phase &&
    stored.ready === health.ready &&
    stored.restarts === health.restarts &&
    stored.reason === health.reason &&
    stored.message === health.message &&
    stored.node === health.node
  );
}

/**
 * Records pods just created (or recreated), many at once. A new row starts Pending; an existing
 * row keeps the health the watch wrote, which reports the new pod's own soon enough (writing
 * Pending here could overwrite a newer Running the watch had already stored).
 */
export async function upsertPods(db: Db, created: readonly CreatedPod[]): Promise<void> {
  for (let start = 0; start < created.length; start += UPSERT_CHUNK) {
    const rows = created.slice(start, start + UPSERT_CHUNK).map((pod) => ({
      name: pod.name,
      client_id: pod.clientId,
      algorithm: pod.algorithm,
      spec_hash: pod.specHash,
      epoch: pod.epoch,
    }));
    // The rows travel as one JSON parameter: a small fraction of the cost of one parameter per field.
    await db.execute(sql`
      insert into pods (name, client_id, algorithm, spec_hash, epoch)
      select name, client_id, algorithm, spec_hash, epoch
      from json_to_recordset(${JSON.stringify(rows)}::json)
        as created(name varchar, client_id bigint, algorithm varchar, spec_hash varchar, epoch bigint)
      on conflict (name) do update set
        client_id = excluded.client_id,
        algorithm = excluded.algorithm,
        spec_hash = excluded.spec_hash,
        epoch = excluded.epoch,
        observed_at = now()`);
  }
}

/**
 * Records what the leader's own operations left, in one transaction that only the current
 * leader may commit (every epoch in `epochs` must be current): pods created or recreated (see
 * upsertPods) and pods deleted.
 */
export async function recordOperationResults(
  db: Db,
  epochs: readonly number[],
  created: readonly CreatedPod[],
  gone: readonly string[],
): Promise<void> {
  if (created.length === 0 && gone.length === 0) return;
  await db.transaction(async (tx) => {
    for (const epoch of epochs) await assertEpochCurrent(tx, epoch);
    await deletePods(tx, gone);
    await upsertPods(tx, created);
  });
}

/** Writes pods with their health; `since` moves only when the phase or readiness changes. */
async function writeObservedPods(db: Db, observed: readonly ActualPod[]): Promise<void> {
  for (let start = 0; start < observed.length; start += UPSERT_CHUNK) {
    const rows = observed.slice(start, start + UPSERT_CHUNK).map((pod) => ({
      name: pod.name,
      client_id: pod.clientId,
      algorithm: pod.algorithm,
      spec_hash: pod.specHash,
      epoch: pod.epoch,
      phase: pod.health.phase,
      ready: pod.health.ready,
      restarts: pod.health.restarts,
      reason: pod.health.reason,
      message: pod.health.message,
      node: pod.health.node,
    }));
    await db.execute(sql`
      insert into pods (name, client_id, algorithm, spec_hash, epoch, phase, ready, restarts, reason, message, node)
      select name, client_id, algorithm, spec_hash, epoch, phase, ready, restarts, reason, message, node
      from json_to_recordset(${JSON.stringify(rows)}::json)
        as observed(name varchar, client_id bigint, algorithm varchar, spec_hash varchar, epoch bigint,
                    phase varchar, ready boolean, restarts integer, reason varchar, message text, node varchar)
      on conflict (name) do update set
        client_id = excluded.client_id,
        algorithm = excluded.algorithm,
        spec_hash = excluded.spec_hash,
        epoch = excluded.epoch,
        phase = excluded.phase,
        ready = excluded.ready,
        restarts = excluded.restarts,
        reason = excluded.reason,
        message = excluded.message,
        node = excluded.node,
        since = case
          when pods.phase = excluded.phase and pods.ready = excluded.ready then pods.since
          else now()
        end,
        observed_at = now()`);
  }
}

/** Forgets deleted pods, many at once. */
export async function deletePods(db: Db, names: readonly string[]): Promise<void> {
  for (let start = 0; start < names.length; start += ID_CHUNK) {
    await db.delete(pods).where(inArray(pods.name, names.slice(start, start + ID_CHUNK)));
  }
}

/** Records a pod just created (or recreated); see upsertPods. */
export async function upsertPod(db: Db, pod: CreatedPod): Promise<void> {
  await upsertPods(db, [pod]);
}

export async function deletePod(db: Db, name: string): Promise<void> {
  await db.delete(pods).where(eq(pods.name, name));
}

/** The pods last seen for these clients, with their health. */
export async function podsOfClients(db: Db, clientIds: Iterable<number>): Promise<ObservedPod[]> {
  const ids = [...new Set(clientIds)];
  const found: ObservedPod[] = [];
  for (let start = 0; start < ids.length; start += ID_CHUNK) {
    const rows = await db
      .select(observedColumns)
      .from(pods)
      .where(inArray(pods.clientId, ids.slice(start, start + ID_CHUNK)));
    for (const row of rows) found.push(observedPod(row));
  }
  return found;
}

/** Every pod last seen, by name. */
export async function allPods(db: Db): Promise<ObservedPod[]> {
  return (await db.select(observedColumns).from(pods).orderBy(asc(pods.name))).map(observedPod);
}

export async function countPods(db: Db): Promise<number> {
  const [row] = await db.select({ pods: count() }).from(pods);
  return row?.pods ?? 0;
}

/** Pods by phase and readiness, with their container restarts, for the metrics. */
export async function podHealthCounts(db: Db): Promise<Array<PodStatus & { pods: number; restarts: number }>> {
  const rows = await db
    .select({
      phase: pods.phase,
      ready: pods.ready,
      pods: count(),
      restarts: sql<string>`coalesce(sum(${pods.restarts}), 0)`,
    })
    .from(pods)
    .groupBy(pods.phase, pods.ready);
  // sum() of integers is a bigint, which the drivers hand back as text.
  return rows.map((row) => ({ ...row, restarts: Number(row.restarts) }));
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

function observedPod(row: ObservedRow): ObservedPod {
  const health: PodHealth = {
    phase: row.phase,
    ready: row.ready,
    restarts: row.restarts,
    reason: row.reason,
    message: row.message,
    node: row.node,
  };
  return {
    name: row.name,
    clientId: row.clientId,
    algorithm: row.algorithm,
    specHash: row.specHash,
    epoch: row.epoch,
    health,
    since: row.since,
  };
}
