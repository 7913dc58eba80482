import { z } from 'zod';
import { EVENT_SUBJECTS } from './subjects';

/**
 * An outbox row as the relay publishes it on its own subject. `eventId` is also the JetStream
 * message id, and the key by which a consumer drops a copy; `id` is only the row's number in
 * the database that wrote it.
 */
export const eventMessageSchema = z.object({
  id: z.int().positive(),
  eventId: z.uuid(),
  subject: z.enum(Object.values(EVENT_SUBJECTS)),
  clientId: z.int().positive(),
  payload: z.unknown(),
  /** When the change was committed, ISO 8601. */
  createdAt: z.iso.datetime(),
});
export type EventMessage = z.infer<typeof eventMessageSchema>;
