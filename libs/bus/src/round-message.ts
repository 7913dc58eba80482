import { z } from 'zod';

/** Published on `podsync.events.round.finished` by the leader when a sync round ends, whatever its outcome. */
export const roundFinishedMessageSchema = z.object({
  /** Globally unique, when the publisher assigns one; consumers deduplicate by it. */
  eventId: z.string().min(1).optional(),
  /** The round's id, as GET /api/v1/sync/rounds lists it. */
  round: z.int().positive(),
  epoch: z.int().nonnegative(),
  trigger: z.string().min(1),
  planned: z.int().nonnegative(),
  done: z.int().nonnegative(),
  failed: z.int().nonnegative(),
  /** The mass-deletion guard held this round's deletes back. */
  guarded: z.boolean(),
  /** When the round finished, ISO 8601. */
  at: z.iso.datetime(),
});
export type RoundFinishedMessage = z.infer<typeof roundFinishedMessageSchema>;
