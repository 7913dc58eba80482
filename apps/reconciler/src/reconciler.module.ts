import { Module } from '@nestjs/common';
import type { Config, Deployer } from '@podsync/domain';
import type { Database } from '@podsync/db';
import type { EventBus } from '@podsync/bus';
import { CONFIG, DATABASE, EVENT_BUS, Loggers, MetricsRegistry, ReadinessService } from '@podsync/platform';
import { ClusterRpcService } from './cluster/cluster-rpc.service';
import { createDeployer } from './deployers/create-deployer';
import { traceDeployer } from './deployers/traced-deployer';
import { createLeadership, type Leadership } from './leader/create-leadership';
import { ObserveMetrics, registerPodHealthMetrics } from './observe/observe-metrics';
import { ObservedPods } from './observe/observed-pods';
import { PodObserver } from './observe/pod-observer';
import { PodRestartBackoff } from './observe/pod-restart-backoff';
import { registerOutboxMetrics } from './outbox/outbox-metrics';
import { OutboxRelay } from './outbox/outbox-relay';
import { ReconcilerLifecycle } from './reconciler-lifecycle.service';
import { HistoryPurge } from './retention/history-purge';
import { SyncEngine, syncEngineSettings } from './sync/sync-engine';
import { SyncMetrics } from './sync/sync-metrics';
import { SyncScheduler } from './sync/sync-scheduler';
import { DEPLOYER, LEADERSHIP } from './tokens';

/** Leader election, sync rounds, the deployer, the outbox relay. Needs PlatformModule imported beside it. */
@Module({
  providers: [
    {
      provide: LEADERSHIP,
      useFactory: (config: Config, database: Database, readiness: ReadinessService): Leadership => {
        const leadership = createLeadership(
          { replicaId: config.replicaId, redisUrls: config.redis.urls, ttlMs: config.leader.ttlMs },
          database.db,
        );
        if (config.redis.urls.length > 0) readiness.register('redis', () => leadership.ping());
        return leadership;
      },
      inject: [CONFIG, DATABASE, ReadinessService],
    },
    {
      provide: DEPLOYER,
      useFactory: async (config: Config, leadership: Leadership): Promise<Deployer> =>
        traceDeployer(await createDeployer(config, () => leadership.elector.current()), config.deployer.kind),
      // Made once the database and NATS are connected: loading the Kubernetes client holds the
      // event loop for seconds, long enough on a busy host to run out their connect timeouts.
      inject: [CONFIG, LEADERSHIP, DATABASE, EVENT_BUS],
    },
    {
      provide: SyncMetrics,
      useFactory: (metrics: MetricsRegistry): SyncMetrics => new SyncMetrics(metrics.registry),
      inject: [MetricsRegistry],
    },
    {
      provide: PodRestartBackoff,
      useFactory: (): PodRestartBackoff => new PodRestartBackoff(),
    },
    {
      provide: ObserveMetrics,
      useFactory: (database: Database, metrics: MetricsRegistry): ObserveMetrics => {
        registerPodHealthMetrics(metrics.registry, database.db);
        return new ObserveMetrics(metrics.registry);
      },
      inject: [DATABASE, MetricsRegistry],
    },
    {
      provide: ObservedPods,
      useFactory: (database: Database, bus: EventBus, loggers: Loggers, metrics: SyncMetrics, backoff: PodRestartBackoff) =>
        // One target, named `default`, until several targets are configured.
        new ObservedPods(database.db, bus, loggers.component('observe/pods'), metrics, backoff, { target: 'default' }),
      inject: [DATABASE, EVENT_BUS, Loggers, SyncMetrics, PodRestartBackoff],
    },
    {
      provide: SyncEngine,
      useFactory: (
        config: Config,
        database: Database,
        deployer: Deployer,
        bus: EventBus,
        loggers: Loggers,
        metrics: SyncMetrics,
        observedPods: ObservedPods,
        restartBackoff: PodRestartBackoff,
      ) =>
        new SyncEngine(database.db, deployer, bus, loggers.component('sync/reconciler'), metrics, syncEngineSettings(config), {
          observedPods,
          restartBackoff,
        }),
      inject: [CONFIG, DATABASE, DEPLOYER, EVENT_BUS, Loggers, SyncMetrics, ObservedPods, PodRestartBackoff],
    },
    {
      provide: SyncScheduler,
      useFactory: (config: Config, database: Database, engine: SyncEngine, leadership: Leadership, loggers: Loggers) =>
        new SyncScheduler(engine, leadership.elector, database.db, loggers.component('sync/scheduler'), {
          intervalMs: config.sync.intervalMs,
        }),
      inject: [CONFIG, DATABASE, SyncEngine, LEADERSHIP, Loggers],
    },
    {
      provide: PodObserver,
      useFactory: (
        deployer: Deployer,
        observedPods: ObservedPods,
        loggers: Loggers,
        metrics: ObserveMetrics,
        scheduler: SyncScheduler,
        leadership: Leadership,
      ) =>
        new PodObserver(
          deployer,
          observedPods,
          loggers.component('observe/pods'),
          metrics,
          (clientIds) => scheduler.requestClients(clientIds),
          () => leadership.elector.stepDown(),
        ),
      inject: [DEPLOYER, ObservedPods, Loggers, ObserveMetrics, SyncScheduler, LEADERSHIP],
    },
    {
      provide: OutboxRelay,
      useFactory: (database: Database, bus: EventBus, loggers: Loggers, syncMetrics: SyncMetrics, metrics: MetricsRegistry) => {
        registerOutboxMetrics(metrics.registry, database.db);
        return new OutboxRelay(database.db, bus, loggers.component('outbox/relay'), {
          onPublishFailed: () => syncMetrics.publishFailed('events'),
        });
      },
      inject: [DATABASE, EVENT_BUS, Loggers, SyncMetrics, MetricsRegistry],
    },
    {
      provide: HistoryPurge,
      useFactory: (config: Config, database: Database, loggers: Loggers, metrics: MetricsRegistry) =>
        new HistoryPurge(database.db, loggers.component('retention'), metrics.registry, {
          retentionMs: config.history.retentionMs,
        }),
      inject: [CONFIG, DATABASE, Loggers, MetricsRegistry],
    },
    ClusterRpcService,
    ReconcilerLifecycle,
  ],
})
export class ReconcilerModule {}
