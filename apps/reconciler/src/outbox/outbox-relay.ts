import { setTimeout as sleep } from 'node:timers/promises';
import { propagation, ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import type { EventBus } from '@podsync/bus';
import { type Db, deleteOutbox, eventMessage, oldestOutbox, type OutboxRow } from '@podsync/db';
import { currentTraceCarrier } from '@podsync/domain';
import { inSpan } from '@podsync/platform';
import type { Logger } from 'pino';
import { backoffDelay } from '../sync/backoff';

export interface OutboxRelayOptions {
  /** Rows read, published and deleted together. */
  batchSize?: number;
  /** Pause before the first retry after a failure; it doubles with each consecutive failure. */
  retryInitialMs?: number;
  /**
   * Longest pause between retries. Kept well under the PODSYNC_EVENTS duplicate window (5m):
   * a row whose acknowledgement was lost is published again within the window, and JetStream
   * drops the second copy. (A server down for longer than the window can still store a row twice;
   * consumers tell copies apart by the `eventId` in the payload.)
   */
  retryMaxMs?: number;
  /** Told of each publish NATS did not acknowledge (the metrics count them). */
  onPublishFailed?: () => void;
}

const DEFAULTS: Required<OutboxRelayOptions> = {
  batchSize: 100,
  retryInitialMs: 500,
  retryMaxMs: 30_000,
  onPublishFailed: () => undefined,
};

/**
 * Publishes the outbox to the event bus and deletes what was acknowledged: at-least-once out,
 * deduplicated by the stream on the event id (never on the row id: a restored database, or another
 * installation on the same NATS server, numbers its rows 1, 2, 3 again). Runs on the leader alone,
 * one drain at a time, publishing one row after the other so that events leave in id order.
 */
export class OutboxRelay {
  private readonly options: Required<OutboxRelayOptions>;
  private consecutiveFailures = 0;
  /** performance.now() before which the next drain waits. */
  private retryAt = 0;

  constructor(
    private readonly db: Db,
    private readonly bus: EventBus,
    private readonly logger: Logger,
    options: OutboxRelayOptions = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  /**
   * Publishes batches until the outbox is empty, a publish fails or `signal` aborts, and returns
   * the rows published, so the caller can reconcile their clients; each returned row holds the
   * trace context its message carried. After a failure the rows left
   * in the table go out on a later drain, which first waits out the backoff.
   */
  async drain(signal: AbortSignal): Promise<OutboxRow[]> {
    const published: OutboxRow[] = [];
    if (!(await this.waitForRetry(signal))) return published;
    while (!signal.aborted) {
      let batch: OutboxRow[];
      try {
        batch = await oldestOutbox(this.db, this.options.batchSize);
      } catch (error) {
        this.failed(error, 'could not read the outbox');
        break;
      }
      if (batch.length === 0) {
        this.consecutiveFailures = 0;
        break;
      }
      const acknowledged = await this.publishInOrder(batch, signal);
      if (acknowledged.length > 0) {
        published.push(...acknowledged);
        try {
          await deleteOutbox(
            this.db,
            acknowledged.map((row) => row.id),
          );
        } catch (error) {
          // Published but still in the table: the next drain publishes them again as duplicates.
          this.failed(error, 'could not delete published outbox rows');
          break;
        }
      }
      if (acknowledged.length < batch.length) break;
    }
    return published;
  }

  /** The leading rows of the batch that were acknowledged; stops at the first failure or on abort. */
  private async publishInOrder(batch: OutboxRow[], signal: AbortSignal): Promise<OutboxRow[]> {
    const acknowledged: OutboxRow[] = [];
    for (const row of batch) {
      if (signal.aborted) break;
      let published: OutboxRow;
      try {
        published = await this.publish(row);
      } catch (error) {
        this.options.onPublishFailed();
        this.failed(error, 'could not publish an outbox event', { outboxId: row.id, eventId: row.eventId, subject: row.subject });
        break;
      }
      this.consecutiveFailures = 0;
      acknowledged.push(published);
    }
    return acknowledged;
  }

  /**
   * One publish, as a PRODUCER span in the trace of the write that stored the row: the bus sends
   * the span's context in the message's `traceparent` header, and the row handed back carries it.
   */
  private publish(row: OutboxRow): Promise<OutboxRow> {
    const { traceContext } = row;
    const writeContext = traceContext === null ? ROOT_CONTEXT : propagation.extract(ROOT_CONTEXT, traceContext);
    return inSpan(
      `publish ${row.subject}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': 'nats',
          'messaging.operation.type': 'send',
          'messaging.destination.name': row.subject,
          'messaging.message.id': row.eventId,
          'podsync.client.id': row.clientId,
        },
      },
      async () => {
        // The context travels in the headers; the payload keeps the shape of the event.
        await this.bus.publish(row.subject, eventMessage(row), { msgId: row.eventId });
        return { ...row, traceContext: currentTraceCarrier() };
      },
      writeContext,
    );
  }

  private failed(error: unknown, message: string, context: Record<string, unknown> = {}): void {
    this.consecutiveFailures++;
    const delayMs = backoffDelay(
      { initialMs: this.options.retryInitialMs, maxMs: this.options.retryMaxMs },
      this.consecutiveFailures,
    );
    this.retryAt = performance.now() + delayMs;
    this.logger.warn({ err: error, ...context, failures: this.consecutiveFailures, retryInMs: delayMs }, message);
  }

  /** False when aborted while waiting. */
  private async waitForRetry(signal: AbortSignal): Promise<boolean> {
    const remainingMs = this.retryAt - performance.now();
    if (remainingMs <= 0) return !signal.aborted;
    try {
      await sleep(remainingMs, undefined, { signal });
      return true;
    } catch {
      return false;
    }
  }
}
