import { asc, inArray, sql } from 'drizzle-orm';
import { currentTraceCarrier, type EventMessage, type EventSubject, newEventId } from '@podsync/domain';
import type { Db } from './database';
import { outbox, type OutboxRow } from './schema';

/**
 * Call inside the transaction of the change the event describes, after writing the change. The
 * row keeps the active trace context, so that the work the event causes joins the request's trace.
 */
export async function appendOutbox(db: Db, subject: EventSubject, clientId: number, payload: unknown): Promise<OutboxRow> {
  const [row] = await db
    .insert(outbox)
    .values({ eventId: newEventId(), subject, clientId, payload, traceContext: currentTraceCarrier() })
    .returning()
    .prepare('append_outbox')
    .execute();
  if (row === undefined) throw new Error('insert into outbox returned no row');
  return row;
}

/** An outbox row as the relay publishes it. */
export function eventMessage(row: OutboxRow): EventMessage {
  return {
    id: row.id,
    eventId: row.eventId,
    subject: row.subject,
    clientId: row.clientId,
    payload: row.payload,
    createdAt: row.createdAt.toISOString(),
  };
}

/** The oldest unpublished events, in commit order. */
export async function oldestOutbox(db: Db, limit: number): Promise<OutboxRow[]> {
  return db.select().from(outbox).orderBy(asc(outbox.id)).limit(limit);
}

export async function deleteOutbox(db: Db, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await db.delete(outbox).where(inArray(outbox.id, ids));
}

/** Unpublished events and the age of the oldest, in seconds (0 when none wait). */
export async function outboxBacklog(db: Db): Promise<{ rows: number; oldestAgeSeconds: number }> {
  const [row] = await db
    .select({
      rows: sql<number>`count(*)::int`,
      oldestAgeSeconds: sql<number>`coalesce(extract(epoch from now() - min(${outbox.createdAt})), 0)::float8`,
    })
    .from(outbox);
  return row ?? { rows: 0, oldestAgeSeconds: 0 };
}
