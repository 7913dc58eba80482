import { z } from 'zod';
import { RequestFailedError } from './bus.errors';

/** Payloads travel as JSON; `undefined` becomes null, as it would inside an array. */
export function encodePayload(payload: unknown): string {
  return JSON.stringify(payload ?? null);
}

export function decodePayload(text: string): unknown {
  return JSON.parse(text);
}

/** A served request's answer carries whether the handler succeeded, so a failure is not mistaken for a result. */
const replySchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);

export function encodeResult(result: unknown): string {
  return JSON.stringify({ ok: true, result: result ?? null });
}

export function encodeFailure(error: unknown): string {
  return JSON.stringify({ ok: false, error: error instanceof Error ? error.message : String(error) });
}

/** The result of a reply, or a RequestFailedError carrying the responder's message. */
export function decodeReply(subject: string, text: string): unknown {
  let reply: z.infer<typeof replySchema>;
  try {
    reply = replySchema.parse(JSON.parse(text));
  } catch {
    throw new RequestFailedError(subject, 'the responder sent a malformed reply');
  }
  if (!reply.ok) throw new RequestFailedError(subject, reply.error);
  return reply.result;
}
