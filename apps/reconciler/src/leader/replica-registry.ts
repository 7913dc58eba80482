import type { LeaderElector } from './leader-elector';

export type ReplicaRole = 'leader' | 'follower';

export interface ReplicaHeartbeat {
  replicaId: string;
  role: ReplicaRole;
  lastSeen: Date;
}

/** The live replicas of the cluster, each announcing itself with a heartbeat. */
export interface ReplicaRegistry {
  /** Begins heartbeating. */
  start(): Promise<void>;
  /** Stops heartbeating and withdraws this replica from the list. */
  stop(): Promise<void>;
  /** The replicas whose heartbeat has not expired, in order of their id. */
  list(): Promise<ReplicaHeartbeat[]>;
}

export function roleOf(elector: LeaderElector): ReplicaRole {
  return elector.current() === undefined ? 'follower' : 'leader';
}
