import { z } from 'zod';
import type { SyncRoundRow } from '@podsync/db';
import { POD_OPERATION_KINDS } from '@podsync/domain';

/**
 * Request/reply subjects by which the gateway reaches the leader. Only the leader serves
 * them, so "no responder" means no leader at the moment.
 */
export const CLUSTER_RPC = {
  cluster: 'podsync.rpc.cluster',
  sync: 'podsync.rpc.sync',
  plan: 'podsync.rpc.plan',
  pause: 'podsync.rpc.pause',
  resume: 'podsync.rpc.resume',
} as const;

/** How long the gateway waits for the leader before answering 503. */
export const CLUSTER_RPC_TIMEOUT_MS = 2_000;

export const syncRequestSchema = z.strictObject({ force: z.boolean() });
export type SyncRequest = z.infer<typeof syncRequestSchema>;

export const syncAcceptedSchema = z.object({
  accepted: z.literal(true),
  force: z.boolean(),
  replicaId: z.string(),
  epoch: z.number(),
});
export type SyncAccepted = z.infer<typeof syncAcceptedSchema>;

export const roundViewSchema = z.object({
  id: z.number(),
  epoch: z.number(),
  replicaId: z.string(),
  trigger: z.string(),
  scope: z.array(z.number()).nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  planned: z.number(),
  done: z.number(),
  failed: z.number(),
  guarded: z.boolean(),
  paused: z.boolean(),
  error: z.string().nullable(),
});
export type RoundView = z.infer<typeof roundViewSchema>;

export const clusterViewSchema = z.object({
  leader: z.object({ replicaId: z.string(), epoch: z.number(), since: z.string() }).nullable(),
  replicas: z.array(z.object({ replicaId: z.string(), role: z.enum(['leader', 'follower']), lastSeen: z.string() })),
  lastRound: roundViewSchema.nullable(),
  paused: z.boolean(),
  guarded: z.boolean(),
});
export type ClusterView = z.infer<typeof clusterViewSchema>;

export const plannedOperationSchema = z.object({
  kind: z.enum(POD_OPERATION_KINDS),
  pod: z.string(),
  clientId: z.number(),
  algorithm: z.string(),
  /** Why a running pod would be recreated. */
  reason: z.string().optional(),
});

export const planViewSchema = z.object({
  /** In the order the round would carry them out. */
  operations: z.array(plannedOperationSchema),
  deletes: z.number(),
  running: z.number(),
  /** The mass-deletion guard would hold back this plan's deletions. */
  guarded: z.boolean(),
  paused: z.boolean(),
});
export type PlanView = z.infer<typeof planViewSchema>;

export const pausedViewSchema = z.object({ paused: z.boolean() });
export type PausedView = z.infer<typeof pausedViewSchema>;

/** A sync_rounds row as the API and the cluster view show it. */
export function roundView(row: SyncRoundRow): RoundView {
  return {
    id: row.id,
    epoch: row.epoch,
    replicaId: row.replicaId,
    trigger: row.trigger,
    scope: row.scope,
    startedAt: row.startedAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
    planned: row.planned,
    done: row.done,
    failed: row.failed,
    guarded: row.guarded,
    paused: row.paused,
    error: row.error,
  };
}
