import { z } from 'zod';
import { EVENTS_STREAM, OPS_STREAM, type StreamDefinition } from '@podsync/bus';

/** The streams the event stream follows, in the order their positions are written in an event id. */
export const FOLLOWED_STREAMS = [OPS_STREAM, EVENTS_STREAM] as const satisfies readonly StreamDefinition[];

/**
 * Where a client of the event stream stands: per followed stream, the sequence of the last
 * message it has been sent (or skipped past). Written as the SSE event id, `<ops>-<events>`
 * (e.g. `1042-87`), so that a reconnect with Last-Event-ID resumes each stream just after it.
 */
export type EventCursor = readonly [opsSequence: number, eventsSequence: number];

export function formatEventCursor(cursor: EventCursor | readonly number[]): string {
  return cursor.join('-');
}

const CURSOR = /^([0-9]{1,15})-([0-9]{1,15})$/;

/** The Last-Event-ID header: absent, or an id this gateway handed out. */
export const lastEventIdSchema = z
  .string()
  .transform((value, context): EventCursor => {
    const match = CURSOR.exec(value.trim());
    if (match === null) {
      context.addIssue({ code: 'custom', message: 'Last-Event-ID must be an event id the stream sent, such as 1042-87' });
      return z.NEVER;
    }
    return [Number(match[1]), Number(match[2])];
  })
  .optional();
