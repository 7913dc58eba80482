import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { StaleEpochError } from '@podsync/db';
import type { Lease } from '../leader/leader-elector';
import type { HistoryPurge } from './history-purge';

/** How often the leader purges: often enough that one pass stays small, rare enough to cost nothing. */
export const PURGE_INTERVAL_MS = 10 * 60_000;

/**
 * Runs the purge for one term of leadership: at once, then every `intervalMs`, until `signal`
 * aborts. A stale epoch means a newer leader exists: `onStale` steps down. Any other failure is
 * logged and retried at the next tick.
 */
export async function runHistoryPurge(
  purge: HistoryPurge,
  lease: Lease,
  onStale: () => Promise<void>,
  logger: Logger,
  signal: AbortSignal,
  intervalMs = PURGE_INTERVAL_MS,
): Promise<void> {
  while (!signal.aborted) {
    try {
      await purge.purge(lease);
    } catch (error) {
      if (error instanceof StaleEpochError) {
        logger.warn({ err: error }, 'history purge refused: a newer leader exists; stepping down');
        await onStale();
        return;
      }
      if (!signal.aborted) logger.warn({ err: error }, 'history purge failed; retrying at the next interval');
    }
    await sleep(intervalMs, undefined, { signal }).catch(() => undefined);
  }
}
