import { type BeforeApplicationShutdown, Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import type { Logger } from 'pino';
import { type Config, LEADER_SUBJECT, type LeaderMessage, newEventId } from '@podsync/domain';
import type { EventBus, Unsubscribe } from '@podsync/bus';
import { CONFIG, EVENT_BUS, Loggers, MetricsRegistry } from '@podsync/platform';
import { ClusterRpcService } from './cluster/cluster-rpc.service';
import type { Leadership } from './leader/create-leadership';
import type { LeadershipChange, Lease } from './leader/leader-elector';
import { PodObserver } from './observe/pod-observer';
import { OutboxRelay } from './outbox/outbox-relay';
import { runOutboxRelay } from './outbox/outbox-relay-loop';
import { HistoryPurge } from './retention/history-purge';
import { runHistoryPurge } from './retention/history-purge-loop';
import { SyncMetrics } from './sync/sync-metrics';
import { SyncScheduler } from './sync/sync-scheduler';
import { LEADERSHIP } from './tokens';

/** How long a stopping leader spends publishing what is left in the outbox before it lets go. */
const FINAL_DRAIN_MS = 2_000;

/**
 * A replica's life: heartbeats and campaigning from start; while leader, sync rounds, the watch
 * of the pods, the outbox relay, the history purge and the cluster requests; on SIGTERM, the round
 * finished or aborted, the outbox flushed and the lease released, so that a rolling update fails
 * over at once.
 */
@Injectable()
export class ReconcilerLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log: Logger;
  private readonly leaderGauge: Gauge;
  private readonly epochGauge: Gauge;
  private readonly renewFailures: Counter;
  private stopServing: Unsubscribe = () => undefined;
  private relayLoop: Promise<void> = Promise.resolve();
  private observing: Promise<void> = Promise.resolve();
  private purgeLoop: Promise<void> = Promise.resolve();
  private readonly stopping = new AbortController();
  private unsubscribe: (() => void) | undefined;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(LEADERSHIP) private readonly leadership: Leadership,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly scheduler: SyncScheduler,
    private readonly relay: OutboxRelay,
    private readonly observer: PodObserver,
    private readonly rpc: ClusterRpcService,
    private readonly syncMetrics: SyncMetrics,
    private readonly historyPurge: HistoryPurge,
    private readonly loggers: Loggers,
    metrics: MetricsRegistry,
  ) {
    this.log = loggers.component('leader');
    this.leaderGauge = new Gauge({ name: 'podsync_leader', help: '1 while this replica leads', registers: [metrics.registry] });
    this.epochGauge = new Gauge({
      name: 'podsync_leader_epoch',
      help: 'Fencing epoch of the current or last term',
      registers: [metrics.registry],
    });
    this.renewFailures = new Counter({
      name: 'podsync_lease_renew_failures_total',
      help: 'Leader terms ended because the lease could not be renewed in time (Redis unreachable, lease expired)',
      registers: [metrics.registry],
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const { elector, registry } = this.leadership;
    this.unsubscribe = elector.onChange((change) => this.leadershipChanged(change));
    this.scheduler.start();
    await registry.start();
    await elector.start();
    this.log.info({ replicaId: this.config.replicaId }, 'replica started');
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.log.info('stopping: finishing the round in flight and releasing the lease');
    await this.scheduler.stop();
    this.stopping.abort();
    await Promise.all([this.relayLoop, this.observing, this.purgeLoop]);
    const lease = this.leadership.elector.current();
    if (lease?.isValid() === true) await this.relay.drain(AbortSignal.any([lease.signal, AbortSignal.timeout(FINAL_DRAIN_MS)]));
    this.unsubscribe?.();
    this.stopServing();
    await this.leadership.close();
  }

  private leadershipChanged(change: LeadershipChange): void {
    if (change.kind === 'elected') {
      this.elected(change.lease);
      return;
    }
    this.stopServing();
    this.stopServing = () => undefined;
    this.leaderGauge.set(0);
    if (change.reason.reason === 'extend-failed' || change.reason.reason === 'expired') this.renewFailures.inc();
    this.log.warn({ epoch: change.epoch, reason: change.reason.message }, 'no longer leader');
  }

  private elected(lease: Lease): void {
    this.leaderGauge.set(1);
    this.epochGauge.set(lease.epoch);
    this.log.info({ epoch: lease.epoch }, 'elected leader');
    this.stopServing = this.rpc.serve(lease);
    this.relayLoop = runOutboxRelay(
      this.relay,
      (clientIds, traceContexts) => this.scheduler.requestClients(clientIds, traceContexts),
      this.log,
      AbortSignal.any([lease.signal, this.stopping.signal]),
    );
    this.observing = this.observer.run(lease, this.stopping.signal).catch((error: unknown) => {
      this.log.error({ err: error, epoch: lease.epoch }, 'observing the pods stopped unexpectedly');
    });
    this.purgeLoop = runHistoryPurge(
      this.historyPurge,
      lease,
      () => this.leadership.elector.stepDown(),
      this.loggers.component('retention'),
      AbortSignal.any([lease.signal, this.stopping.signal]),
    );
    const message: LeaderMessage = {
      eventId: newEventId(),
      replicaId: this.config.replicaId,
      epoch: lease.epoch,
      at: new Date().toISOString(),
    };
    this.bus.publish(LEADER_SUBJECT, message, { msgId: message.eventId }).catch((error: unknown) => {
      this.syncMetrics.publishFailed('leader');
      this.log.warn({ err: error }, 'could not announce the new leader on the bus');
    });
  }
}
