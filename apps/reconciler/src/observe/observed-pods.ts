import type { EventBus } from '@podsync/bus';
import {
  applyPodObservations,
  type CreatedPod,
  type Db,
  type PodObservation,
  type PodStatusChange,
  type PodsWritten,
  recordOperationResults,
  replacePods,
} from '@podsync/db';
import { newEventId, POD_STATUS_SUBJECT, type PodListing, type PodStatusMessage, podTerminated } from '@podsync/domain';
import type { Logger } from 'pino';
import type { Lease } from '../leader/leader-elector';
import { forEachBounded } from '../sync/for-each-bounded';
import type { SyncMetrics } from '../sync/sync-metrics';
import type { PodRestartBackoff } from './pod-restart-backoff';

/** pod.status messages in flight at once: enough to keep NATS busy after a relist that changed many pods. */
const PUBLISH_CONCURRENCY = 32;

export interface ObservedPodsSettings {
  /** The target the pods run in, named on every message. */
  target: string;
}

/** A listing, stored. */
export interface StoredListing {
  listing: PodListing;
  /** Clients whose pods the listing found gone or terminated: they need a round. */
  clientsToHeal: number[];
}

/** Where the watch's writes stood when a listing or an operation began. */
export interface ObservationMark {
  readonly at: number;
}

/** What a finished operation left of a pod: running with the spec it asked for, or gone. */
export type OperationResult = { kind: 'created'; pod: CreatedPod } | { kind: 'gone'; name: string };

interface WaitingResult {
  epoch: number;
  result: OperationResult;
  mark: ObservationMark;
  done: { resolve: () => void; reject: (error: unknown) => void };
}

/**
 * The one writer of what the leader observes of its pods: watch changes, full listings and the
 * results of its own operations go to the pods table in transactions fenced by the lease's epoch,
 * one at a time; each change of phase or readiness is announced on `podsync.events.pod.status`;
 * the restart backoff learns the pods' health; and the clients of pods that vanished or
 * terminated are returned, for a round to look at — the round, level-triggered, decides what to do.
 *
 * A listing is older than the changes written while it was read, and an operation's result than
 * the watch changes written while it ran: those pods are left as written (an operation's result
 * must not bring back a pod the watch has since seen deleted, nor a listing undo a newer change).
 */
export class ObservedPods {
  /** Counts the writes of pods; a mark remembers where the count stood. */
  private sequence = 0;
  /** The count at each pod's last watch write, kept while a mark may be older. */
  private readonly watchedAt = new Map<string, number>();
  /** The count at each pod's last operation result written, kept while a mark may be older. */
  private readonly recordedAt = new Map<string, number>();
  private readonly openMarks = new Set<ObservationMark>();
  /** The writes to the pods table, one after the other. */
  private tail: Promise<void> = Promise.resolve();
  private readonly waitingResults: WaitingResult[] = [];

  constructor(
    private readonly db: Db,
    private readonly bus: EventBus,
    private readonly log: Logger,
    private readonly metrics: SyncMetrics,
    private readonly backoff: PodRestartBackoff,
    private readonly settings: ObservedPodsSettings,
  ) {}

  /** Lists with `list` and makes the pods table that listing. */
  async relist(lease: Lease, list: () => Promise<PodListing>): Promise<StoredListing> {
    const mark = this.mark();
    try {
      const listed = await list();
      const written = await this.exclusive(() => replacePods(this.db, lease.epoch, listed.pods, this.writtenSince(mark)));
      const clientsToHeal = new Set(await this.written(lease, written));
      // Level-triggered: a pod still terminated needs a round too (one replaced and failed again
      // between two listings looks unchanged, and a missed event must not leave it failed).
      for (const pod of listed.pods) if (podTerminated(pod.health)) clientsToHeal.add(pod.clientId);
      return { listing: listed, clientsToHeal: [...clientsToHeal] };
    } finally {
      this.release(mark);
    }
  }

  /** Writes what the watch saw, in one transaction; resolves with the clients that need healing. */
  async apply(lease: Lease, observations: readonly PodObservation[]): Promise<number[]> {
    const written = await this.exclusive(() => {
      for (const observation of observations) this.watchedAt.set(observation.pod.name, ++this.sequence);
      this.forgetUnmarked();
      return applyPodObservations(this.db, lease.epoch, observations);
    });
    return this.written(lease, written);
  }

  /** Call before an operation's first deployer call; release() the mark once its result is recorded. */
  mark(): ObservationMark {
    const mark = { at: this.sequence };
    this.openMarks.add(mark);
    return mark;
  }

  release(mark: ObservationMark): void {
    this.openMarks.delete(mark);
    this.forgetUnmarked();
  }

  /**
   * Records what an operation begun at `mark` left of its pod, unless the watch has written that
   * pod since: results that arrive while another write runs go together in the next transaction.
   */
  recordOperation(epoch: number, result: OperationResult, mark: ObservationMark): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waitingResults.push({ epoch, result, mark, done: { resolve, reject } });
      if (this.waitingResults.length === 1) void this.exclusive(() => this.writeResults()).catch(() => undefined);
    });
  }

  private async writeResults(): Promise<void> {
    const batch = this.waitingResults.splice(0);
    try {
      const created = new Map<string, CreatedPod>();
      const gone = new Set<string>();
      for (const { result, mark } of batch) {
        const name = result.kind === 'created' ? result.pod.name : result.name;
        if ((this.watchedAt.get(name) ?? Number.NEGATIVE_INFINITY) > mark.at) continue;
        if (result.kind === 'created') {
          created.set(name, result.pod);
          gone.delete(name);
        } else {
          gone.add(name);
          created.delete(name);
        }
      }
      for (const name of [...created.keys(), ...gone]) this.recordedAt.set(name, ++this.sequence);
      await recordOperationResults(this.db, [...new Set(batch.map(({ epoch }) => epoch))], [...created.values()], [...gone]);
      for (const { done } of batch) done.resolve();
    } catch (error) {
      for (const { done } of batch) done.reject(error);
      throw error;
    }
  }

  /** Runs `write` once the writes before it have ended, whatever their outcome. */
  private exclusive<T>(write: () => Promise<T>): Promise<T> {
    const run = this.tail.then(write, write);
    this.tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** The pods the watch or an operation's result has written since `mark`: newer than a listing begun then. */
  private writtenSince(mark: ObservationMark): Set<string> {
    const newer = new Set<string>();
    for (const written of [this.watchedAt, this.recordedAt]) for (const [name, at] of written) if (at > mark.at) newer.add(name);
    return newer;
  }

  /** Forgets the writes no open mark is older than. */
  private forgetUnmarked(): void {
    let oldest = this.sequence;
    for (const mark of this.openMarks) oldest = Math.min(oldest, mark.at);
    for (const written of [this.watchedAt, this.recordedAt])
      for (const [name, at] of written) if (at <= oldest) written.delete(name);
  }

  /** Tells the backoff and the bus of what was written; returns the clients of pods gone or terminated. */
  private async written(lease: Lease, written: PodsWritten): Promise<number[]> {
    for (const change of written.statusChanges) this.backoff.observed(change.pod.name, change.pod.health);
    const clientIds = new Set<number>();
    for (const pod of written.removed) clientIds.add(pod.clientId);
    for (const { pod } of written.statusChanges) if (podTerminated(pod.health)) clientIds.add(pod.clientId);
    await this.publish(lease, written.statusChanges);
    return [...clientIds];
  }

  private async publish(lease: Lease, changes: readonly PodStatusChange[]): Promise<void> {
    let failures = 0;
    let lastError: unknown;
    const at = new Date().toISOString();
    await forEachBounded(changes, PUBLISH_CONCURRENCY, lease.signal, async (change) => {
      const message = this.statusMessage(lease, change, at);
      try {
        await this.bus.publish(POD_STATUS_SUBJECT, message, { msgId: message.eventId });
      } catch (error) {
        failures++;
        lastError = error;
        this.metrics.publishFailed('events');
      }
    });
    if (failures > 0) {
      this.log.warn({ err: lastError, failures, changes: changes.length }, 'could not publish some pod status changes');
    }
  }

  private statusMessage(lease: Lease, { pod, from, to }: PodStatusChange, at: string): PodStatusMessage {
    return {
      eventId: newEventId(),
      pod: pod.name,
      target: this.settings.target,
      clientId: pod.clientId,
      algorithm: pod.algorithm,
      from,
      to,
      ...(pod.health.reason === null ? {} : { reason: pod.health.reason }),
      epoch: lease.epoch,
      at,
    };
  }
}
