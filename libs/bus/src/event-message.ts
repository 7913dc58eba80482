import { z } from 'zod';
import { EVENT_SUBJECTS } from './subjects';

/** An outbox row as the relay publishes it on its own subject; its id is also the message id. */
export const eventMessageSchema = z.object({
  id: z.int().positive(),
  subject: z.enum(Object.values(EVENT_SUBJECTS)),
  clientId: z.int().positive(),
  payload: z.unknown(),
  /** When the change was committed, ISO 8601. */
  createdAt: z.iso.datetime(),
});
export type EventMessage = z.infer<typeof eventMessageSchema>;
