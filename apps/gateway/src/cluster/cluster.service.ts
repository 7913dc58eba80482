import { Inject, Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
import type { z } from 'zod';
import type { Config, Page, PageQuery, PodCounts } from '@podsync/domain';
import { countClusterPods, type Database, latestSyncRounds, readClusterSettings } from '@podsync/db';
import {
  BusUnavailableError,
  CLUSTER_RPC,
  CLUSTER_RPC_TIMEOUT_MS,
  type ClusterView,
  clusterViewSchema,
  type EventBus,
  NoResponderError,
  type PausedView,
  RequestFailedError,
  pausedViewSchema,
  type PlanView,
  planViewSchema,
  RequestTimeoutError,
  roundView,
  type RoundView,
  type SyncAccepted,
  syncAcceptedSchema,
} from '@podsync/bus';
import { CONFIG, DATABASE, EVENT_BUS } from '@podsync/platform';

/** The leader did not answer: none is elected right now, or it is unreachable. */
export class NoLeaderException extends ServiceUnavailableException {
  constructor() {
    super(`no leader answered within ${CLUSTER_RPC_TIMEOUT_MS / 1000} s; a replica may be taking over, retry shortly`);
  }
}

/** GET /api/v1/cluster: the leader's view of the cluster and its pods' health. */
export interface ClusterOverview extends ClusterView {
  pods: PodCounts;
}

/** What the gateway asks of the leader, over request/reply on the bus (in process when embedded). */
@Injectable()
export class ClusterService {
  private readonly logger = new Logger(ClusterService.name);

  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(DATABASE) private readonly database: Database,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  /**
   * The leader's view, or without a leader what the database still tells (paused, the last
   * round), and the pods counted from the observed state, which needs no leader either.
   */
  async view(): Promise<ClusterOverview> {
    const [view, pods] = await Promise.all([this.leaderView(), countClusterPods(this.database.db, this.config.algorithms.names)]);
    return { ...view, pods };
  }

  private async leaderView(): Promise<ClusterView> {
    try {
      return await this.ask(CLUSTER_RPC.cluster, {}, clusterViewSchema);
    } catch (error) {
      if (!(error instanceof NoLeaderException)) throw error;
      const { db } = this.database;
      const [settings, [last]] = await Promise.all([readClusterSettings(db), latestSyncRounds(db, { limit: 1 })]);
      return {
        leader: null,
        replicas: [],
        lastRound: last === undefined ? null : roundView(last),
        paused: settings.paused,
        guarded: false,
      };
    }
  }

  requestRound(force: boolean): Promise<SyncAccepted> {
    return this.ask(CLUSTER_RPC.sync, { force }, syncAcceptedSchema);
  }

  plan(): Promise<PlanView> {
    return this.ask(CLUSTER_RPC.plan, {}, planViewSchema);
  }

  pause(): Promise<PausedView> {
    return this.ask(CLUSTER_RPC.pause, {}, pausedViewSchema);
  }

  resume(): Promise<PausedView> {
    return this.ask(CLUSTER_RPC.resume, {}, pausedViewSchema);
  }

  async rounds(page: PageQuery): Promise<Page<RoundView>> {
    const rows = await latestSyncRounds(this.database.db, { limit: page.limit + 1, beforeId: page.cursor });
    const items = rows.slice(0, page.limit).map(roundView);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > page.limit && last !== undefined ? String(last.id) : null };
  }

  private async ask<S extends z.ZodType>(subject: string, request: unknown, answer: S): Promise<z.output<S>> {
    try {
      return answer.parse(await this.bus.request(subject, request, CLUSTER_RPC_TIMEOUT_MS));
    } catch (error) {
      if (error instanceof NoResponderError || error instanceof RequestTimeoutError || error instanceof BusUnavailableError) {
        this.logger.warn(`${subject}: ${error.message}`);
        throw new NoLeaderException();
      }
      // The leader's handler failed. Its error travels as text only; when the database is down,
      // that is the likely reason and the gateway's own ping fails too, which answers 503.
      if (error instanceof RequestFailedError) await this.database.ping();
      throw error;
    }
  }
}
