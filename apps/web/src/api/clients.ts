import { api, dataOf } from './api';
import type { Client, ClientDetails } from './views';

/** The editable fields, as PUT and POST /api/v1/clients take them. */
export type ClientFields = Pick<Client, 'name' | 'version' | 'image' | 'cpu' | 'mem' | 'priority'>;

/** A client with its algorithms and its pods' health. */
export const readClient = (clientId: number, signal?: AbortSignal): Promise<ClientDetails> =>
  dataOf<ClientDetails>(api.GET('/api/v1/clients/{id}', { params: { path: { id: clientId } }, signal }));
