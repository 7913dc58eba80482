import type { Cluster } from '../support/cluster';

/** The lease TTL of every chaos scenario: short, so that each fault plays out in seconds. */
export const TTL_MS = 2_000;
/** The same, as PODSYNC_LEADER_TTL. */
export const TTL = `${TTL_MS / 1_000}s`;

/** The catalogue the harness starts the cluster with. */
export const ALGORITHMS = ['VWAP', 'TWAP', 'HFT'] as const;

/** A client as the scenarios create it (the gateway harness's sample would load the apps' modules into the test). */
export const CLIENT_BODY = {
  name: 'chaos',
  version: 1,
  image: 'registry.example.com/algo:1.2',
  cpu: '500m',
  mem: '256Mi',
  priority: 5,
} as const;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Creates `count` clients through the gateway with `flags` switched on; returns their ids. */
export async function createClients(cluster: Cluster, count: number, flags: Record<string, boolean>): Promise<number[]> {
  const ids: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const created = await cluster.gateway.request('POST', '/api/v1/clients', {
      json: { ...CLIENT_BODY, name: `chaos-${index}` },
    });
    if (created.status !== 201) throw new Error(`POST /api/v1/clients answered ${created.status}: ${created.text}`);
    const id: number = created.body.data.id;
    const status = await cluster.gateway.request('PUT', `/api/v1/status/${id}`, { json: flags });
    if (status.status !== 200) throw new Error(`PUT /api/v1/status/${id} answered ${status.status}: ${status.text}`);
    ids.push(id);
  }
  return ids;
}
