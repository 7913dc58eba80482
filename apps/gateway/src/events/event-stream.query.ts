import { z } from 'zod';
import { LEADER_SUBJECT, OPS_SUBJECTS, POD_STATUS_SUBJECT, ROUND_FINISHED_SUBJECT } from '@podsync/bus';
import { idSchema } from '@podsync/domain';

/** What GET /api/v1/events/stream sends, as the SSE `event:` field and the `?types=` values. */
export const STREAM_EVENT_TYPES = ['operation', 'pod-status', 'leader', 'round'] as const;
export type StreamEventType = (typeof STREAM_EVENT_TYPES)[number];

const OPERATION_SUBJECTS: ReadonlySet<string> = new Set(Object.values(OPS_SUBJECTS));

/** The event type of a stored subject; undefined for subjects the event stream does not carry (client changes). */
export function streamEventTypeOf(subject: string): StreamEventType | undefined {
  if (OPERATION_SUBJECTS.has(subject)) return 'operation';
  if (subject === POD_STATUS_SUBJECT) return 'pod-status';
  if (subject === LEADER_SUBJECT) return 'leader';
  if (subject === ROUND_FINISHED_SUBJECT) return 'round';
  return undefined;
}

const typesMessage = `types must be a comma-separated list of ${STREAM_EVENT_TYPES.join(', ')}`;

const typesSchema = z.string({ error: typesMessage }).transform((value, context) => {
  const types = value.split(',').map((type) => type.trim());
  const unknown = types.filter((type) => !(STREAM_EVENT_TYPES as readonly string[]).includes(type));
  if (unknown.length > 0) {
    context.addIssue({
      code: 'custom',
      message: `unknown event type ${unknown.map((type) => `"${type}"`).join(', ')}; ${typesMessage}`,
    });
    return z.NEVER;
  }
  return new Set(types as StreamEventType[]);
});

/** `?clientId=` keeps the events about that client (operations, pod status); `?types=` the listed kinds. */
export const eventStreamQuerySchema = z.strictObject(
  {
    clientId: idSchema.optional().describe("only this client's operations and pod status"),
    types: typesSchema.optional().describe(`comma-separated event types: ${STREAM_EVENT_TYPES.join(', ')}`),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown query parameter ${issue.keys.map((key) => `"${key}"`).join(', ')}; known: clientId, types`
        : undefined,
  },
);
export type EventStreamQuery = z.output<typeof eventStreamQuerySchema>;
