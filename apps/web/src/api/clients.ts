import { api, dataOf } from './api';
import { podViewsOf, type PodView } from '../components/pod-health';

/** A client as the dashboard pages show it: the API's answer, its pods read tolerantly. */
export interface ClientView {
  id: number;
  name: string;
  version: number;
  image: string;
  cpu: string;
  mem: string;
  priority: number;
  needRestart: boolean;
  spawnedAt: string | null;
  createdAt: string;
  updatedAt: string;
  algorithms: Record<string, boolean>;
  pods: PodView[];
}

/** The editable fields, as PUT and POST /api/v1/clients take them. */
export type ClientFields = Pick<ClientView, 'name' | 'version' | 'image' | 'cpu' | 'mem' | 'priority'>;

export async function readClient(clientId: number, signal?: AbortSignal): Promise<ClientView> {
  const details = await dataOf(api.GET('/api/v1/clients/{id}', { params: { path: { id: clientId } }, signal }));
  return { ...details, pods: podViewsOf(details.pods) };
}
