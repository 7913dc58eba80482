import { api, dataOf } from '../../api/api';
import { type ClientView, readClient } from '../../api/clients';
import type { Client, Page } from '../../api/views';

/** Clients per page of the fleet: each needs one more request for its algorithms and pods. */
export const FLEET_PAGE_SIZE = 25;

export interface FleetPage {
  clients: ClientView[];
  nextCursor: string | null;
}

/** A page of the clients, by id, each with its algorithms and pods. */
export async function readFleetPage(cursor: string | undefined, signal: AbortSignal): Promise<FleetPage> {
  const page = await dataOf<Page<Client>>(
    api.GET('/api/v1/clients', { params: { query: { limit: String(FLEET_PAGE_SIZE), cursor } }, signal }),
  );
  return { clients: await Promise.all(page.items.map((client) => readClient(client.id, signal))), nextCursor: page.nextCursor };
}
