import { setTimeout as sleep } from 'node:timers/promises';
import { Counter, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import { assertEpochCurrent, type Db, findPurgeRange, HISTORY_TABLES, type HistoryTable, purgeHistoryRange } from '@podsync/db';
import type { Lease } from '../leader/leader-elector';

/**
 * Ids per delete: each batch is one short transaction of at most this many rows by primary key,
 * a few milliseconds, so a round's writes and the API's reads never queue behind the purge.
 */
export const DEFAULT_PURGE_BATCH = 1_000;

/**
 * Share of the time the purge works; it rests the remainder after each batch. The purge is never
 * urgent, and on a small machine an unpaced one takes a core from the API: at a fifth, a backlog
 * of 5 million rows still goes in minutes (BENCHMARKS.md), and a pass every 10 minutes in steady
 * state deletes only the 10 minutes' worth of history that has just come of age.
 */
export const DEFAULT_PURGE_DUTY_CYCLE = 0.2;

export interface HistoryPurgeSettings {
  /** Rows older than this go (PODSYNC_HISTORY_RETENTION). */
  retentionMs: number;
  batchSize?: number;
  /** Share of the time spent purging, from 0 (exclusive) to 1 (no rest). */
  dutyCycle?: number;
  /** The wall clock the cutoff is taken from; tests pass their own. */
  now?: () => Date;
}

export type PurgedRows = Record<HistoryTable, number>;

/**
 * Bounds the audit history: deletes the `operations` and `sync_rounds` rows older than the
 * retention. Runs on the leader alone; every batch checks, in its transaction, that the leader's
 * epoch is still current, as every other write of the leader does, so a deposed leader purges
 * nothing more.
 */
export class HistoryPurge {
  private readonly purged: Counter<'table'>;
  private readonly batchSize: number;
  /** Rest after a batch, per millisecond the batch took. */
  private readonly restPerBusyMs: number;
  private readonly now: () => Date;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    registry: Registry,
    private readonly settings: HistoryPurgeSettings,
  ) {
    this.batchSize = settings.batchSize ?? DEFAULT_PURGE_BATCH;
    const dutyCycle = settings.dutyCycle ?? DEFAULT_PURGE_DUTY_CYCLE;
    this.restPerBusyMs = (1 - dutyCycle) / dutyCycle;
    this.now = settings.now ?? (() => new Date());
    this.purged = new Counter({
      name: 'podsync_history_purged_rows_total',
      help: 'Rows of the audit history deleted for being older than PODSYNC_HISTORY_RETENTION, by table',
      labelNames: ['table'] as const,
      registers: [registry],
    });
    // Every table shows a sample from the start, so a rate() over it is defined before the first purge.
    for (const table of HISTORY_TABLES) this.purged.inc({ table }, 0);
  }

  /**
   * Deletes what is older than the retention, table by table, batch by batch, until done or the
   * lease ends (then it stops between batches). Rejects with StaleEpochError when a newer leader
   * exists: the caller must step down.
   */
  async purge(lease: Lease): Promise<PurgedRows> {
    const cutoff = new Date(this.now().getTime() - this.settings.retentionMs);
    const purged: PurgedRows = { operations: 0, sync_rounds: 0 };
    for (const table of HISTORY_TABLES) {
      lease.assertValid();
      const range = await findPurgeRange(this.db, table, cutoff);
      if (range === undefined) continue;
      for (let from = range.first; from < range.boundary; from += this.batchSize) {
        lease.assertValid();
        const to = Math.min(from + this.batchSize, range.boundary);
        const batchStarted = performance.now();
        const deleted = await this.db.transaction(async (tx) => {
          await assertEpochCurrent(tx, lease.epoch);
          return purgeHistoryRange(tx, table, from, to, cutoff);
        });
        purged[table] += deleted;
        this.purged.inc({ table }, deleted);
        // A lost lease ends the rest at once; the next batch's check then stops the purge.
        const restMs = (performance.now() - batchStarted) * this.restPerBusyMs;
        await sleep(restMs, undefined, { signal: lease.signal }).catch(() => undefined);
      }
    }
    if (purged.operations + purged.sync_rounds > 0) {
      this.log.info({ ...purged, cutoff: cutoff.toISOString() }, 'purged history older than the retention');
    }
    return purged;
  }
}
