import { type DesiredPod, podName, specHash } from '@podsync/domain';
import type { DesiredPodRow } from '@podsync/db';

/** The desired pods of a batch of rows. A client's rows arrive together and share its spec: it is hashed once, not once per algorithm. */
export function desiredPods(rows: readonly DesiredPodRow[]): DesiredPod[] {
  let hashed = { clientId: Number.NaN, specHash: '' };
  return rows.map((row) => {
    if (row.clientId !== hashed.clientId) hashed = { clientId: row.clientId, specHash: specHash(row) };
    return {
      name: podName(row.algorithm, row.clientId),
      clientId: row.clientId,
      algorithm: row.algorithm,
      image: row.image,
      version: row.version,
      cpu: row.cpu,
      mem: row.mem,
      specHash: hashed.specHash,
      priority: row.priority,
      needRestart: row.needRestart,
    };
  });
}
