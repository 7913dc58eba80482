import type { EventBus } from '@podsync/bus';
import {
  allPods,
  assertEpochCurrent,
  clearRestartRequest,
  countPods,
  type Db,
  desiredPodBatches,
  finishSyncRound,
  insertSyncRound,
  markClientsSpawned,
  type ObservedPod,
  podsOfClients,
  readClusterSettings,
  replacePods,
  type SyncRoundRow,
  type SyncTrigger,
} from '@podsync/db';
import {
  type Config,
  type Deployer,
  type DesiredPod,
  plan as planOperations,
  type PodOperation,
  type PodOperationKind,
  type RestartReason,
  type RunningPod,
} from '@podsync/domain';
import type { Logger } from 'pino';
import { type LeaderClock, systemClock } from '../leader/leader-clock';
import type { Lease } from '../leader/leader-elector';
import { DELETE_GUARD_FLOOR, deleteGuardHolds } from './delete-guard';
import { errorText } from './error-text';
import { forEachBounded } from './for-each-bounded';
import { OperationRecorder } from './operation-recorder';
import { DEFAULT_RETRY, PodOperationRunner, type RetrySettings } from './pod-operation-runner';
import { RoundProgress } from './round-progress';
import type { SyncMetrics } from './sync-metrics';
import { desiredPods } from './desired-pods';
import { TokenBucket } from './token-bucket';

/** A full round reconciles every client against a fresh listing; a scoped one only the given clients. */
export type RoundScope = 'full' | { clientIds: readonly number[] };

export interface RoundOptions {
  /** Lifts the mass-deletion guard for this round (POST /api/v1/sync?force=true). */
  force?: boolean;
}

export interface RoundSummary {
  id: number;
  epoch: number;
  trigger: SyncTrigger;
  scope: 'full' | { clientIds: number[] };
  startedAt: Date;
  finishedAt: Date;
  /** Operations the plan asked for, held-back deletes included. */
  planned: number;
  done: number;
  failed: number;
  /** The mass-deletion guard held this round's deletes back. */
  guarded: boolean;
  /** Deletes held back by the guard. */
  deletesHeld: number;
  /** The cluster was paused: nothing was carried out. */
  paused: boolean;
  forced: boolean;
}

/** A planned operation as GET /api/v1/sync/plan shows it. */
export interface PlannedOperation {
  kind: PodOperationKind;
  pod: string;
  clientId: number;
  algorithm: string;
  /** Why a running pod would be recreated. */
  reason?: RestartReason;
}

/** What a full round would do now. */
export interface PlanPreview {
  /** In the order the round would carry them out. */
  operations: PlannedOperation[];
  deletes: number;
  running: number;
  /** The round would hold its deletes back (a forced round pending in the cluster settings lifts it). */
  guarded: boolean;
  paused: boolean;
  /** Where the running pods were read: the deployer (on the leader) or the pods table. */
  runningFrom: 'deployer' | 'pods-table';
}

export interface SyncEngineSettings {
  /** Recorded on every round and operation. */
  replicaId: string;
  /** The algorithm catalogue. */
  algorithms: readonly string[];
  /** Pod operations in flight at once (PODSYNC_SYNC_CONCURRENCY). */
  concurrency: number;
  /** Deployer calls per second (PODSYNC_OPS_PER_SECOND). */
  opsPerSecond: number;
  /** Largest share of running pods one round may delete (PODSYNC_DELETE_GUARD); 1 is off. */
  deleteGuard: number;
  /** Clients per desired-state query; default 1,000. */
  desiredBatchSize?: number;
  /** Retries of a failed deployer call; default DEFAULT_RETRY. */
  retry?: RetrySettings;
}

export function syncEngineSettings(config: Config): SyncEngineSettings {
  return {
    replicaId: config.replicaId,
    algorithms: config.algorithms.names,
    concurrency: config.sync.concurrency,
    opsPerSecond: config.sync.opsPerSecond,
    deleteGuard: config.sync.deleteGuard,
  };
}

/** What the scheduler needs of an engine. */
export interface SyncRoundRunner {
  runRound(lease: Lease, trigger: SyncTrigger, scope: RoundScope, options?: RoundOptions): Promise<RoundSummary>;
  /** The mass-deletion guard holds deletes back until a full round runs unguarded. */
  guarded(): boolean;
}

interface DesiredState {
  pods: DesiredPod[];
  /** Clients that asked for a restart, with their restart request count as read. */
  restartRequests: Map<number, number>;
}

const DEFAULT_DESIRED_BATCH = 1_000;

/**
 * Runs sync rounds for the leader: read desired and actual, plan(), act, record. Level-triggered,
 * so re-running a round is harmless. Every database write checks the lease's epoch in its
 * transaction: a StaleEpochError from runRound means a newer leader exists and the caller must
 * step down. A lost lease (its signal aborts) stops the round and runRound rejects with the
 * LeaseLostError.
 */
export class SyncEngine implements SyncRoundRunner {
  private readonly runner: PodOperationRunner;
  private readonly recorder: OperationRecorder;
  private guardActive = false;

  constructor(
    private readonly db: Db,
    private readonly deployer: Deployer,
    bus: EventBus,
    /** The `sync/reconciler` component logger: its lines carry `"component":"sync/reconciler"`. */
    private readonly log: Logger,
    private readonly metrics: SyncMetrics,
    private readonly settings: SyncEngineSettings,
    private readonly clock: LeaderClock = systemClock,
  ) {
    this.runner = new PodOperationRunner(
      deployer,
      new TokenBucket(settings.opsPerSecond, undefined, clock),
      settings.retry ?? DEFAULT_RETRY,
      clock,
    );
    this.recorder = new OperationRecorder(db, bus, this.log, metrics, settings.replicaId);
  }

  guarded(): boolean {
    return this.guardActive;
  }

  async runRound(lease: Lease, trigger: SyncTrigger, scope: RoundScope, options: RoundOptions = {}): Promise<RoundSummary> {
    lease.assertValid();
    const startedMs = this.clock.monotonicMs();
    const forced = options.force ?? false;
    const clientIds = scope === 'full' ? undefined : [...new Set(scope.clientIds)].sort((a, b) => a - b);
    const { paused } = await readClusterSettings(this.db);
    const row = await this.db.transaction(async (tx) => {
      await assertEpochCurrent(tx, lease.epoch);
      return insertSyncRound(tx, {
        epoch: lease.epoch,
        replicaId: this.settings.replicaId,
        trigger,
        scope: clientIds ?? null,
        paused,
      });
    });
    let progress = new RoundProgress(new Map());
    let guarded = false;
    try {
      const desired = await this.readDesired(clientIds);
      progress = new RoundProgress(desired.restartRequests);
      const actual = await this.readActual(lease, clientIds);
      if (clientIds === undefined) this.metrics.podsCounted(desired.pods.length, actual.length);
      const operations = planOperations(desired.pods, actual);
      progress.planned = operations.length;

      guarded = await this.guardHolds(row.id, operations, actual, clientIds, forced);
      const toRun = guarded ? operations.filter((operation) => operation.kind !== 'delete') : operations;

      if (paused) {
        this.log.info(
          { round: row.id, planned: operations.length },
          'cluster paused: the round planned its operations and carried out none',
        );
      } else {
        progress.expect(toRun);
        await this.execute(lease, row.id, toRun, progress);
      }
      const finished = await this.finalize(lease, row.id, progress, guarded, null);
      const summary = this.summary(finished, scope, { deletesHeld: operations.length - toRun.length, forced });
      this.metrics.roundFinished(trigger, (this.clock.monotonicMs() - startedMs) / 1_000, progress);
      this.log[summary.planned > 0 ? 'info' : 'debug'](roundFields(summary), 'sync round finished');
      return summary;
    } catch (error) {
      this.metrics.roundFinished(trigger, (this.clock.monotonicMs() - startedMs) / 1_000, progress);
      await this.finalize(lease, row.id, progress, guarded, errorText(error)).catch((finalizeError: unknown) =>
        this.log.warn({ err: finalizeError, round: row.id }, 'could not record the end of the sync round'),
      );
      throw error;
    }
  }

  /** Dry run of a full round: with a lease the deployer is listed, without one the pods table is read. */
  async plan(lease?: Lease): Promise<PlanPreview> {
    const { paused, pendingRound } = await readClusterSettings(this.db);
    const desired = await this.readDesired(undefined);
    let actual: RunningPod[];
    if (lease === undefined) {
      actual = await allPods(this.db);
    } else {
      lease.assertValid();
      actual = (await this.deployer.list(lease.signal)).pods;
    }
    const operations = planOperations(desired.pods, actual);
    const deletes = countDeletes(operations);
    return {
      operations: operations.map(plannedOperation),
      deletes,
      running: actual.length,
      guarded: deleteGuardHolds({
        deletes,
        running: actual.length,
        share: this.settings.deleteGuard,
        force: pendingRound?.force ?? false,
      }),
      paused,
      runningFrom: lease === undefined ? 'pods-table' : 'deployer',
    };
  }

  private async readDesired(clientIds: readonly number[] | undefined): Promise<DesiredState> {
    const state: DesiredState = { pods: [], restartRequests: new Map() };
    const batches = desiredPodBatches(this.db, {
      algorithms: this.settings.algorithms,
      batchSize: this.settings.desiredBatchSize ?? DEFAULT_DESIRED_BATCH,
      clientIds,
    });
    for await (const batch of batches) {
      for (const pod of desiredPods(batch)) state.pods.push(pod);
      for (const row of batch) if (row.needRestart) state.restartRequests.set(row.clientId, row.restartRequests);
    }
    return state;
  }

  /** A full round lists the deployer and makes the pods table that listing; a scoped one trusts the table. */
  private async readActual(lease: Lease, clientIds: readonly number[] | undefined): Promise<ObservedPod[]> {
    if (clientIds !== undefined) return podsOfClients(this.db, clientIds);
    lease.assertValid();
    const { pods } = await this.deployer.list(lease.signal);
    await replacePods(this.db, lease.epoch, pods);
    return pods;
  }

  private async execute(
    lease: Lease,
    roundId: number,
    operations: readonly PodOperation[],
    progress: RoundProgress,
  ): Promise<void> {
    // A write refused as stale, or a database failure, stops the calls in flight as losing the lease does.
    const failure = new AbortController();
    const signal = AbortSignal.any([lease.signal, failure.signal]);
    await forEachBounded(operations, this.settings.concurrency, signal, async (operation) => {
      const startedAt = new Date();
      const outcome = await this.runner.run(operation, lease, signal);
      if (!outcome.sent) return;
      try {
        await this.recorder.record({ operation, outcome, epoch: lease.epoch, roundId, startedAt, finishedAt: new Date() });
      } catch (error) {
        failure.abort(error);
        throw error;
      }
      progress.completed(operation, outcome.ok);
      if (outcome.ok && operation.kind !== 'restart') this.metrics.actualPodsChanged(operation.kind === 'create' ? 1 : -1);
    });
    lease.signal.throwIfAborted();
  }

  /**
   * Records the end of the round: clears the restart requests it served (compare-and-set on the
   * count read before the round), stamps spawned_at of clients whose pods it (re)created, and
   * finishes the sync_rounds row, in one transaction of the current epoch.
   */
  private async finalize(
    lease: Lease,
    roundId: number,
    progress: RoundProgress,
    guarded: boolean,
    error: string | null,
  ): Promise<SyncRoundRow> {
    return this.db.transaction(async (tx) => {
      await assertEpochCurrent(tx, lease.epoch);
      const cleared = new Set<number>();
      for (const { clientId, restartRequests } of progress.servedRestarts()) {
        if (await clearRestartRequest(tx, clientId, restartRequests)) cleared.add(clientId);
      }
      await markClientsSpawned(
        tx,
        progress.spawnedClients().filter((clientId) => !cleared.has(clientId)),
      );
      return finishSyncRound(tx, roundId, {
        planned: progress.planned,
        done: progress.done,
        failed: progress.failed,
        guarded,
        error,
      });
    });
  }

  /**
   * Decides whether the mass-deletion guard holds this round's deletes back, and keeps the guard
   * state: a scoped round can raise it, only a full round, which sees the whole fleet, lowers it.
   */
  private async guardHolds(
    roundId: number,
    operations: readonly PodOperation[],
    actual: readonly ObservedPod[],
    clientIds: readonly number[] | undefined,
    forced: boolean,
  ): Promise<boolean> {
    const deletes = countDeletes(operations);
    // A scoped round sees a few clients' pods; its deletes are weighed against the whole fleet.
    const running = clientIds === undefined || deletes <= DELETE_GUARD_FLOOR ? actual.length : await countPods(this.db);
    const holds = deleteGuardHolds({ deletes, running, share: this.settings.deleteGuard, force: forced });
    if (holds) this.guardActive = true;
    else if (clientIds === undefined) this.guardActive = false;
    this.metrics.deleteGuardChanged(this.guardActive);
    if (holds) this.warnGuarded(roundId, deletes, running);
    return holds;
  }

  private warnGuarded(roundId: number, deletes: number, running: number): void {
    const share = this.settings.deleteGuard;
    this.log.warn(
      { round: roundId, deletes, running, delete_guard: share },
      `mass-deletion guard: the round would delete ${deletes} of ${running} running pods, more than the share ${share} ` +
        'PODSYNC_DELETE_GUARD allows, so it deletes none. Check the database; if the deletes are intended, ' +
        'run a forced round with POST /api/v1/sync?force=true',
    );
  }

  private summary(row: SyncRoundRow, scope: RoundScope, extra: { deletesHeld: number; forced: boolean }): RoundSummary {
    return {
      id: row.id,
      epoch: row.epoch,
      trigger: row.trigger,
      scope: scope === 'full' ? 'full' : { clientIds: row.scope ?? [] },
      startedAt: row.startedAt,
      finishedAt: row.finishedAt ?? new Date(),
      planned: row.planned,
      done: row.done,
      failed: row.failed,
      guarded: row.guarded,
      deletesHeld: row.guarded ? extra.deletesHeld : 0,
      paused: row.paused,
      forced: extra.forced,
    };
  }
}

function countDeletes(operations: readonly PodOperation[]): number {
  return operations.filter((operation) => operation.kind === 'delete').length;
}

function roundFields(summary: RoundSummary): Record<string, unknown> {
  const { id, epoch, trigger, planned, done, failed, guarded, deletesHeld, paused, forced } = summary;
  return { round: id, epoch, trigger, planned, done, failed, guarded, deletes_held: deletesHeld, paused, forced };
}

function plannedOperation(operation: PodOperation): PlannedOperation {
  const { kind, pod } = operation;
  const planned: PlannedOperation = { kind, pod: pod.name, clientId: pod.clientId, algorithm: pod.algorithm };
  return operation.kind === 'restart' ? { ...planned, reason: operation.reason } : planned;
}
