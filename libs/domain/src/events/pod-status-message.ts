import { z } from 'zod';
import { POD_PHASES } from '../deployer';

const podStatusSchema = z.object({ phase: z.enum(POD_PHASES), ready: z.boolean() });

/**
 * Published on `podsync.events.pod.status`: a pod's change of phase or readiness, as the leader
 * saw it. `eventId` is unique and is also the message id; consumers drop messages whose epoch is
 * below the highest they have seen.
 */
export const podStatusMessageSchema = z.object({
  eventId: z.uuid(),
  pod: z.string().min(1),
  /** Where the pod runs. */
  target: z.string().min(1),
  clientId: z.int().positive(),
  algorithm: z.string().min(1),
  /** Null for a pod seen for the first time. */
  from: podStatusSchema.nullable(),
  to: podStatusSchema,
  /** Why it is not healthy, in Kubernetes's words (Evicted, OOMKilled, CrashLoopBackOff, ...). */
  reason: z.string().optional(),
  epoch: z.int().nonnegative(),
  /** When the leader saw the change, ISO 8601. */
  at: z.iso.datetime(),
});
export type PodStatusMessage = z.infer<typeof podStatusMessageSchema>;
