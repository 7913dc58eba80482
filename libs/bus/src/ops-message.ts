import { RESTART_REASONS } from '@podsync/domain';
import { z } from 'zod';
import { OPERATION_KINDS } from './subjects';

/**
 * A pod operation as broadcast on `podsync.ops.<kind>` and listed by GET /api/v1/operations.
 * Consumers drop messages whose epoch is below the highest they have seen: a deposed leader's.
 */
export const opsMessageSchema = z.object({
  id: z.int().positive(),
  epoch: z.int().nonnegative(),
  /** Null for an operation outside a numbered round. */
  round: z.int().positive().nullable(),
  /** The replica that performed it. */
  replicaId: z.string().min(1),
  kind: z.enum(OPERATION_KINDS),
  pod: z.string().min(1),
  clientId: z.int().positive(),
  algorithm: z.string().min(1),
  result: z.enum(['ok', 'failed']),
  /** Why a restart recreated the pod; restarts only. */
  reason: z.enum(RESTART_REASONS).optional(),
  error: z.string().optional(),
  /** When the operation finished, ISO 8601. */
  at: z.iso.datetime(),
});
export type OpsMessage = z.infer<typeof opsMessageSchema>;
