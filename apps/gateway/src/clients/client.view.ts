import type { Client } from '@podsync/domain';
import type { ClientRow } from '@podsync/db';

/** The API's JSON form of a client row. */
export function toClientView(row: ClientRow): Client {
  return {
    id: row.id,
    name: row.name,
    version: row.version,
    image: row.image,
    cpu: row.cpu,
    mem: row.mem,
    priority: row.priority,
    needRestart: row.needRestart,
    spawnedAt: row.spawnedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
