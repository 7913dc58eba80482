import { z } from 'zod';

/** Published on `podsync.leader` by each replica that wins the lease, with its new epoch. */
export const leaderMessageSchema = z.object({
  /** The message id: epochs start again at 1 in a fresh database, so they cannot be one. */
  eventId: z.uuid(),
  replicaId: z.string().min(1),
  epoch: z.int().positive(),
  /** When the replica became leader, ISO 8601. */
  at: z.iso.datetime(),
});
export type LeaderMessage = z.infer<typeof leaderMessageSchema>;
