import { api, dataOf } from '../../api/api';
import { type ClientView, readClient } from '../../api/clients';

/** Clients per page of the fleet: each needs one more request for its algorithms and pods. */
export const FLEET_PAGE_SIZE = 25;

export interface FleetPage {
  clients: ClientView[];
  nextCursor: string | null;
}

/** A page of every client, by id. */
export async function allClients(cursor: string | undefined, signal: AbortSignal): Promise<FleetPage> {
  const page = await dataOf(api.GET('/api/v1/clients', { params: { query: { limit: FLEET_PAGE_SIZE, cursor } }, signal }));
  return { clients: await Promise.all(page.items.map((client) => readClient(client.id, signal))), nextCursor: page.nextCursor };
}

/** The clients of a page of the pods that are not ready now (`GET /api/v1/pods?ready=false`). */
export async function unhealthyClients(cursor: string | undefined, signal: AbortSignal): Promise<FleetPage> {
  const page = await dataOf(
    api.GET('/api/v1/pods', { params: { query: { ready: 'false', limit: FLEET_PAGE_SIZE, cursor } }, signal }),
  );
  const clientIds = [...new Set(page.items.map((pod) => pod.clientId))];
  return { clients: await Promise.all(clientIds.map((clientId) => readClient(clientId, signal))), nextCursor: page.nextCursor };
}
