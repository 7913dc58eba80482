import { podName, specHash } from '@podsync/domain';
import type postgres from 'postgres';
import type { Cluster } from '../support/cluster';

/** Where the pods on the API server differ from what the database asks for. */
export interface FleetDifference {
  /** Asked for, not running. */
  missing: string[];
  /** Running, not asked for. */
  unexpected: string[];
  /** Running with another spec hash than its client's. */
  outdated: string[];
  /**
   * Clients with pods whose restart request is not served yet. A client without pods has nothing
   * to restart; the reconciler leaves its flag set until it has pods, whose creation serves it.
   */
  restartsPending: number[];
}

export const SPEC_HASH_ANNOTATION = 'podsync/spec-hash';

interface DesiredRow {
  id: number;
  image: string;
  version: number;
  cpu: string;
  mem: string;
  algorithm: string;
}

/**
 * The pods the database asks for, by name with their spec hash, read with SQL straight from the
 * tables rather than through the reconciler's own query, so that a fault in it cannot hide here.
 */
export async function desiredPods(sql: postgres.Sql): Promise<Map<string, string>> {
  const rows = await sql<DesiredRow[]>`
    select c.id::float8 as id, c.image, c.version, c.cpu, c.mem, a.algorithm
    from clients c join client_algorithms a on a.client_id = c.id
    where a.enabled`;
  return new Map(rows.map((row) => [podName(row.algorithm, row.id), specHash(row)]));
}

export async function fleetDifference(cluster: Cluster, sql: postgres.Sql): Promise<FleetDifference> {
  const [desired, running, pending] = await Promise.all([
    desiredPods(sql),
    cluster.kube.pods(cluster.namespace),
    sql<{ id: number }[]>`
      select c.id::float8 as id from clients c
      where c.need_restart and exists (select 1 from client_algorithms a where a.client_id = c.id and a.enabled)
      order by c.id`,
  ]);
  const runningHashes = new Map(
    running
      .filter((pod) => pod.metadata.deletionTimestamp === undefined)
      .map((pod) => [pod.metadata.name, pod.metadata.annotations?.[SPEC_HASH_ANNOTATION]]),
  );
  return {
    missing: [...desired.keys()].filter((name) => !runningHashes.has(name)).sort(),
    unexpected: [...runningHashes.keys()].filter((name) => !desired.has(name)).sort(),
    outdated: [...desired]
      .filter(([name, hash]) => runningHashes.has(name) && runningHashes.get(name) !== hash)
      .map(([name]) => name)
      .sort(),
    restartsPending: pending.map((row) => row.id),
  };
}

export function inStep(difference: FleetDifference): boolean {
  return (
    difference.missing.length === 0 &&
    difference.unexpected.length === 0 &&
    difference.outdated.length === 0 &&
    difference.restartsPending.length === 0
  );
}

/** Waits until the pods match the database exactly and every restart request is served; fails showing the difference. */
export async function waitForFleetInStep(cluster: Cluster, sql: postgres.Sql, timeoutMs: number): Promise<void> {
  let last: FleetDifference | undefined;
  try {
    await cluster.waitFor(
      async () => {
        last = await fleetDifference(cluster, sql);
        return inStep(last);
      },
      { what: 'the pods on the API server to match the database', timeoutMs },
    );
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}; last difference: ${JSON.stringify(last)}`, {
      cause: error,
    });
  }
}
