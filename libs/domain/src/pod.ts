import type { PodPhase } from './deployer';

/** One of a client's pods as GET /api/v1/clients/{id} shows it; `since` is ISO 8601. */
export interface ClientPod {
  name: string;
  algorithm: string;
  phase: PodPhase;
  ready: boolean;
  restarts: number;
  reason: string | null;
  /** Last change of phase or readiness. */
  since: string;
}

/** A managed pod with its health as GET /api/v1/pods lists it; timestamps are ISO 8601. */
export interface PodView {
  name: string;
  clientId: number;
  algorithm: string;
  phase: PodPhase;
  ready: boolean;
  restarts: number;
  reason: string | null;
  message: string | null;
  node: string | null;
  since: string;
  /** When the leader last wrote the row. */
  observedAt: string;
}

/** The pods of the whole cluster, counted from the observed state. */
export interface PodCounts {
  /** Clients × enabled catalogue algorithms: the pods the database asks for. */
  desired: number;
  running: number;
  ready: number;
  pending: number;
  failed: number;
}
