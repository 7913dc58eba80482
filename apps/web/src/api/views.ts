/**
 * The shapes of the API's answers (DESIGN §3) that the dashboard reads. The generated
 * client types requests; the gateway's OpenAPI document does not describe its answers'
 * bodies yet, so they are named here, once, and read through `dataOf<T>`.
 */

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

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

/** A pod's health in Kubernetes's words: phase Pending | Running | Succeeded | Failed | Unknown, reason such as CrashLoopBackOff. */
export interface ClientPod {
  name: string;
  algorithm: string;
  phase: string;
  ready: boolean;
  restarts: number;
  reason: string | null;
  since: string;
}

export interface ClientDetails extends Client {
  algorithms: Record<string, boolean>;
  pods: ClientPod[];
}

/** A pod as GET /api/v1/pods lists it. */
export interface Pod extends ClientPod {
  clientId: number;
}

export interface Operation {
  id: number;
  epoch: number;
  round: number | null;
  replicaId: string;
  kind: string;
  pod: string;
  clientId: number;
  algorithm: string;
  result: 'ok' | 'failed';
  error?: string;
  at: string;
}

export interface Round {
  id: number;
  epoch: number;
  replicaId: string;
  trigger: string;
  scope: number[] | null;
  startedAt: string;
  finishedAt: string | null;
  planned: number;
  done: number;
  failed: number;
  guarded: boolean;
  paused: boolean;
  error: string | null;
}

export interface Replica {
  replicaId: string;
  role: 'leader' | 'follower';
  lastSeen: string;
}

export interface PodCounts {
  desired: number;
  running: number;
  ready: number;
  pending: number;
  failed: number;
}

export interface Cluster {
  leader: { replicaId: string; epoch: number; since: string } | null;
  replicas: Replica[];
  lastRound: Round | null;
  paused: boolean;
  guarded: boolean;
  pods: PodCounts;
}

export interface PlannedOperation {
  kind: 'create' | 'delete' | 'restart';
  pod: string;
  clientId: number;
  algorithm: string;
  reason?: string;
}

export interface Plan {
  operations: PlannedOperation[];
  deletes: number;
  running: number;
  guarded: boolean;
  paused: boolean;
}
