import type { ClientPod } from './pod';

/** A client as the API shows it; timestamps are ISO 8601 strings. */
export interface Client {
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
}

/** A client with its algorithm flags and the pods the leader last saw, with their health. */
export interface ClientDetails extends Client {
  algorithms: Record<string, boolean>;
  pods: ClientPod[];
}

export interface ClientStatus {
  algorithms: Record<string, boolean>;
  needRestart: boolean;
}
