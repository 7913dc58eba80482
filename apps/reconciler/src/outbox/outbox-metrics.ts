import { Gauge, type Registry } from 'prom-client';
import { type Db, outboxBacklog } from '@podsync/db';

/**
 * How far the relay is behind, read from the table at each scrape so every replica reports it,
 * leader or not: a backlog that grows while no replica leads is exactly what to alert on. A
 * scrape while the database is down keeps the last values.
 */
export function registerOutboxMetrics(registry: Registry, db: Db): void {
  new Gauge({
    name: 'podsync_outbox_backlog',
    help: 'Outbox events not yet published to NATS',
    registers: [registry],
    async collect() {
      const backlog = await outboxBacklog(db).catch(() => undefined);
      if (backlog !== undefined) this.set(backlog.rows);
    },
  });
  new Gauge({
    name: 'podsync_outbox_relay_lag_seconds',
    help: 'Age of the oldest outbox event not yet published to NATS (0 when none waits)',
    registers: [registry],
    async collect() {
      const backlog = await outboxBacklog(db).catch(() => undefined);
      if (backlog !== undefined) this.set(backlog.oldestAgeSeconds);
    },
  });
}
