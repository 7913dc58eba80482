import type { ClientPod, PodView } from '@podsync/domain';
import type { ClientPodRow, PodRow } from '@podsync/db';

/** The API's JSON form of a pods row: its health, without the spec hash and epoch the leader keeps. */
export function toPodView(row: PodRow): PodView {
  return {
    name: row.name,
    clientId: row.clientId,
    algorithm: row.algorithm,
    phase: row.phase,
    ready: row.ready,
    restarts: row.restarts,
    reason: row.reason,
    message: row.message,
    node: row.node,
    since: row.since.toISOString(),
    observedAt: row.observedAt.toISOString(),
  };
}

/** One of a client's pods as GET /api/v1/clients/{id} shows it. */
export function toClientPodView(row: ClientPodRow): ClientPod {
  return {
    name: row.name,
    algorithm: row.algorithm,
    phase: row.phase,
    ready: row.ready,
    restarts: row.restarts,
    reason: row.reason,
    since: row.since.toISOString(),
  };
}
