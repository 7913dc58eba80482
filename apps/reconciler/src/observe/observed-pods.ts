import { randomUUID } from 'node:crypto';
import { type EventBus, POD_STATUS_SUBJECT, type PodStatusMessage } from '@podsync/bus';
import {
  applyPodObservations,
  type Db,
  type PodObservation,
  type PodStatusChange,
  type PodsWritten,
  replacePods,
} from '@podsync/db';
import { type PodListing, podTerminated } from '@podsync/domain';
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

/**
 * The one writer of what the leader observes of its pods: watch changes and full listings go to
 * the pods table in transactions fenced by the lease's epoch, each change of phase or readiness
 * is announced on `podsync.events.pod.status`, the restart backoff learns the pods' health, and
 * the clients of pods that vanished or terminated are returned, for a round to look at — the
 * round, level-triggered, decides what to do.
 *
 * A listing is older than the watch changes written while it was read: those pods are left as
 * the watch wrote them when the listing is stored.
 */
export class ObservedPods {
  /** Counts the watch's writes; a listing remembers where the count stood when it began. */
  private sequence = 0;
  /** The count at each pod's last watch write, kept while some listing may be older. */
  private readonly watchedAt = new Map<string, number>();
  private readonly listingsFrom = new Set<{ mark: number }>();

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
    const listing = { mark: this.sequence };
    this.listingsFrom.add(listing);
    try {
      const listed = await list();
      const newer = new Set<string>();
      for (const [name, at] of this.watchedAt) if (at > listing.mark) newer.add(name);
      const written = await replacePods(this.db, lease.epoch, listed.pods, newer);
      return { listing: listed, clientsToHeal: await this.written(lease, written) };
    } finally {
      this.listingsFrom.delete(listing);
      this.forgetWatchedBefore(Math.min(this.sequence, ...[...this.listingsFrom].map(({ mark }) => mark)));
    }
  }

  /** Writes what the watch saw, in one transaction; resolves with the clients that need healing. */
  async apply(lease: Lease, observations: readonly PodObservation[]): Promise<number[]> {
    for (const observation of observations) this.watchedAt.set(observation.pod.name, ++this.sequence);
    if (this.listingsFrom.size === 0) this.forgetWatchedBefore(this.sequence);
    const written = await applyPodObservations(this.db, lease.epoch, observations);
    return this.written(lease, written);
  }

  private forgetWatchedBefore(mark: number): void {
    for (const [name, at] of this.watchedAt) if (at <= mark) this.watchedAt.delete(name);
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
      eventId: randomUUID(),
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
