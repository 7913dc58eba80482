import { Inject, Injectable } from '@nestjs/common';
import { type Database, latestSyncRounds, readClusterSettings, setPaused } from '@podsync/db';
import {
  CLUSTER_RPC,
  type ClusterView,
  type EventBus,
  type PausedView,
  type PlanView,
  roundView,
  type SyncAccepted,
  syncRequestSchema,
  type Unsubscribe,
} from '@podsync/bus';
import type { Config } from '@podsync/domain';
import { CONFIG, DATABASE, EVENT_BUS } from '@podsync/platform';
import type { Lease } from '../leader/leader-elector';
import type { Leadership } from '../leader/create-leadership';
import { SyncEngine } from '../sync/sync-engine';
import { SyncScheduler } from '../sync/sync-scheduler';
import { LEADERSHIP } from '../tokens';

/**
 * Answers the gateway's cluster requests. Only the leader serves them, from its election to
 * the end of its term, so a request nobody answers means there is no leader.
 */
@Injectable()
export class ClusterRpcService {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(DATABASE) private readonly database: Database,
    @Inject(LEADERSHIP) private readonly leadership: Leadership,
    private readonly engine: SyncEngine,
    private readonly scheduler: SyncScheduler,
  ) {}

  /** Serves every cluster subject for the term of `lease`; returns what stops serving. */
  serve(lease: Lease): Unsubscribe {
    const stops = [
      this.bus.serve(CLUSTER_RPC.cluster, () => this.view(lease)),
      this.bus.serve(CLUSTER_RPC.sync, (request) => this.sync(lease, request)),
      this.bus.serve(CLUSTER_RPC.plan, () => this.plan(lease)),
      this.bus.serve(CLUSTER_RPC.pause, () => this.setPaused(true)),
      this.bus.serve(CLUSTER_RPC.resume, () => this.setPaused(false)),
    ];
    return () => stops.forEach((stop) => stop());
  }

  private async view(lease: Lease): Promise<ClusterView> {
    const { db } = this.database;
    const [replicas, settings, [last]] = await Promise.all([
      this.leadership.registry.list(),
      readClusterSettings(db),
      latestSyncRounds(db, { limit: 1 }),
    ]);
    return {
      leader: { replicaId: this.config.replicaId, epoch: lease.epoch, since: lease.since.toISOString() },
      replicas: replicas.map((replica) => ({ ...replica, lastSeen: replica.lastSeen.toISOString() })),
      lastRound: last === undefined ? null : roundView(last),
      paused: settings.paused,
      guarded: this.scheduler.guarded(),
    };
  }

  private async sync(lease: Lease, request: unknown): Promise<SyncAccepted> {
    const { force } = syncRequestSchema.parse(request);
    await this.scheduler.requestFull('manual', force);
    return { accepted: true, force, replicaId: this.config.replicaId, epoch: lease.epoch };
  }

  private async plan(lease: Lease): Promise<PlanView> {
    const preview = await this.engine.plan(lease);
    return {
      operations: preview.operations,
      deletes: preview.deletes,
      running: preview.running,
      guarded: preview.guarded,
      paused: preview.paused,
    };
  }

  private async setPaused(paused: boolean): Promise<PausedView> {
    await setPaused(this.database.db, paused);
    // Resuming acts on what piled up while paused at once, not at the next periodic round.
    if (!paused) await this.scheduler.requestFull('manual');
    return { paused };
  }
}
