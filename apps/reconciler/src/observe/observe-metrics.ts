import { type Db, podHealthCounts } from '@podsync/db';
import type { PodChange } from '@podsync/domain';
import { Counter, Gauge, type Registry } from 'prom-client';
import { type LeaderClock, systemClock } from '../leader/leader-clock';

/** Why the watch of the pods began again. */
export type WatchRestartCause =
  /** The version it watched from was no longer held (410 Gone): listed again. */
  | 'expired'
  /** The deployer failed; watched again after a backoff. */
  | 'error'
  /** No event for too long: the stream was presumed dead and opened again. */
  | 'stalled'
  /** The periodic listing, the safety net against missed events. */
  | 'periodic'
  /** The server ended the stream, as API servers do every few minutes. */
  | 'closed';

/** The watch's health, as the leader sees it. */
export class ObserveMetrics {
  private readonly events: Counter<'type'>;
  private readonly restarts: Counter<'cause'>;
  /** Monotonic time of the last event, or of the start of the watch; undefined while not watching. */
  private lastEventMs: number | undefined;

  constructor(
    registry: Registry,
    private readonly clock: LeaderClock = systemClock,
  ) {
    const registers = [registry];
    this.events = new Counter({
      name: 'podsync_pod_watch_events_total',
      help: 'Changes the watch of the managed pods delivered, by type (added, modified, deleted, bookmark)',
      labelNames: ['type'] as const,
      registers,
    });
    this.restarts = new Counter({
      name: 'podsync_pod_watch_restarts_total',
      help: 'Times the watch of the pods began again, by cause: expired (410, relisted), error, stalled, periodic (relist), closed (by the server)',
      labelNames: ['cause'] as const,
      registers,
    });
    const lastEventAge = (): number =>
      this.lastEventMs === undefined ? 0 : (this.clock.monotonicMs() - this.lastEventMs) / 1_000;
    new Gauge({
      name: 'podsync_pod_watch_last_event_age_seconds',
      help: 'Seconds since the watch of the pods delivered its last event (or began); 0 on a replica that does not watch',
      registers,
      collect() {
        this.set(lastEventAge());
      },
    });
  }

  watchStarted(): void {
    this.lastEventMs ??= this.clock.monotonicMs();
  }

  watchStopped(): void {
    this.lastEventMs = undefined;
  }

  eventReceived(change: PodChange): void {
    this.events.inc({ type: change.type });
    this.lastEventMs = this.clock.monotonicMs();
  }

  watchRestarted(cause: WatchRestartCause): void {
    this.restarts.inc({ cause });
  }
}

/**
 * The observed pods by phase and readiness, and their container restarts, read from the pods
 * table at each scrape so that every replica reports them, leader or not. A scrape while the
 * database is down keeps the last values.
 */
export function registerPodHealthMetrics(registry: Registry, db: Db): void {
  new Gauge({
    name: 'podsync_pods_observed',
    help: 'Managed pods as the leader last observed them, by phase and readiness',
    labelNames: ['phase', 'ready'] as const,
    registers: [registry],
    async collect() {
      const rows = await podHealthCounts(db).catch(() => undefined);
      if (rows === undefined) return;
      this.reset();
      for (const row of rows) this.set({ phase: row.phase, ready: String(row.ready) }, row.pods);
    },
  });
  new Gauge({
    name: 'podsync_pod_container_restarts',
    help: 'Container restarts of the managed pods, summed, as last observed (the kubelet restarting crashed containers)',
    registers: [registry],
    async collect() {
      const rows = await podHealthCounts(db).catch(() => undefined);
      if (rows !== undefined) this.set(rows.reduce((sum, row) => sum + row.restarts, 0));
    },
  });
}
