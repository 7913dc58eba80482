export interface Client {
  id: number;
  name: string;
  version: number;
  image: string;
  cpu: string;
  mem: string;
  priority: number;
  needRestart: boolean;
  spawnedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A client with its algorithm flags and the pods the leader last saw running. */
export interface ClientDetails extends Client {
  algorithms: Record<string, boolean>;
  pods: string[];
}

export interface ClientStatus {
  algorithms: Record<string, boolean>;
  needRestart: boolean;
}
