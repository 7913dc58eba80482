import { api, dataOf } from '../../api/api';
import { readClient } from '../../api/clients';
import type { Client, ClientDetails, Page, Pod } from '../../api/views';

/** Clients (or unready pods) per page of the fleet: each client needs one more request for its algorithms and pods. */
export const FLEET_PAGE_SIZE = 25;

export interface FleetPage {
  clients: ClientDetails[];
  nextCursor: string | null;
}

/** A page of the clients, by id, each with its algorithms and pods. */
export async function readFleetPage(cursor: string | undefined, signal: AbortSignal): Promise<FleetPage> {
  const page = await dataOf<Page<Client>>(
    api.GET('/api/v1/clients', { params: { query: { limit: String(FLEET_PAGE_SIZE), cursor } }, signal }),
  );
  return { clients: await Promise.all(page.items.map((client) => readClient(client.id, signal))), nextCursor: page.nextCursor };
}

/** The clients of a page of the pods that are not ready now: what is unhealthy across the whole fleet. */
export async function readUnhealthyPage(cursor: string | undefined, signal: AbortSignal): Promise<FleetPage> {
  const page = await dataOf<Page<Pod>>(
    api.GET('/api/v1/pods', { params: { query: { ready: 'false', limit: String(FLEET_PAGE_SIZE), cursor } }, signal }),
  );
  const clientIds = [...new Set(page.items.map((pod) => pod.clientId))];
  return { clients: await Promise.all(clientIds.map((clientId) => readClient(clientId, signal))), nextCursor: page.nextCursor };
}
