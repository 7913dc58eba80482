import { z } from 'zod';
import { POD_OPERATION_KINDS, RESTART_REASONS } from '../plan';

export const OPERATION_RESULTS = ['ok', 'failed'] as const;
export type OperationResult = (typeof OPERATION_RESULTS)[number];

/**
 * A pod operation as broadcast on `podsync.ops.<kind>` and listed by GET /api/v1/operations.
 * Consumers drop messages whose epoch is below the highest they have seen: a deposed leader's.
 * `eventId` is the JetStream message id and the key by which a consumer drops a copy.
 */
export const opsMessageSchema = z.object({
  id: z.int().positive(),
  eventId: z.uuid(),
  epoch: z.int().nonnegative(),
  /** Null for an operation outside a numbered round. */
  round: z.int().positive().nullable(),
  /** The replica that performed it. */
  replicaId: z.string().min(1),
  kind: z.enum(POD_OPERATION_KINDS),
  pod: z.string().min(1),
  clientId: z.int().positive(),
  algorithm: z.string().min(1),
  result: z.enum(OPERATION_RESULTS),
  /** Why a restart recreated the pod; restarts only. */
  reason: z.enum(RESTART_REASONS).optional(),
  error: z.string().optional(),
  /** When the operation finished, ISO 8601. */
  at: z.iso.datetime(),
});
export type OpsMessage = z.infer<typeof opsMessageSchema>;
