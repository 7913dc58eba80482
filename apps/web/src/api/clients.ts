import { podViewsOf, type PodView } from '../components/pod-health';
import { api, dataOf } from './api';
import type { ClientDetails } from './views';

/** A client as the dashboard pages show it: the API's answer, its pods read tolerantly. */
export interface ClientView extends Omit<ClientDetails, 'pods'> {
  pods: PodView[];
}

/** The editable fields, as PUT and POST /api/v1/clients take them. */
export type ClientFields = Pick<ClientView, 'name' | 'version' | 'image' | 'cpu' | 'mem' | 'priority'>;

export async function readClient(clientId: number, signal?: AbortSignal): Promise<ClientView> {
  const details = await dataOf<ClientDetails>(api.GET('/api/v1/clients/{id}', { params: { path: { id: clientId } }, signal }));
  return { ...details, pods: podViewsOf(details.pods) };
}
