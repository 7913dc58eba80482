import { setTimeout as sleep } from 'node:timers/promises';
import type { TraceCarrier } from '@podsync/domain';
import type { Logger } from 'pino';
import type { OutboxRelay } from './outbox-relay';

/**
 * How long the relay rests when the outbox is empty. A change reaches the leader within this
 * plus one drain, well inside the "reconciled within a second" promise of DESIGN §4.
 */
export const RELAY_IDLE_MS = 100;

/**
 * Runs the relay for one term of leadership: drain, hand the published clients (and the trace
 * contexts of their messages) to `onPublished`, rest when idle, until `signal` aborts.
 */
export async function runOutboxRelay(
  relay: OutboxRelay,
  onPublished: (clientIds: number[], traceContexts: TraceCarrier[]) => void,
  logger: Logger,
  signal: AbortSignal,
): Promise<void> {
  while (!signal.aborted) {
    try {
      const published = await relay.drain(signal);
      if (published.length > 0) {
        onPublished(
          [...new Set(published.map((row) => row.clientId))],
          published.flatMap((row) => (row.traceContext === null ? [] : [row.traceContext])),
        );
        continue;
      }
    } catch (error) {
      logger.error({ err: error }, 'outbox relay failed; retrying');
    }
    await sleep(RELAY_IDLE_MS, undefined, { signal }).catch(() => undefined);
  }
}
