import { type PodObservation, StaleEpochError } from '@podsync/db';
import { type Deployer, type PodChange, WatchExpiredError } from '@podsync/domain';
import type { Logger } from 'pino';
import { type LeaderClock, sleep, systemClock } from '../leader/leader-clock';
import type { Lease } from '../leader/leader-elector';
import { type BackoffPolicy, backoffDelay } from '../sync/backoff';
import type { ObserveMetrics, WatchRestartCause } from './observe-metrics';
import type { ObservedPods } from './observed-pods';

export interface PodObserverSettings {
  /** A full listing this often, the net under missed events (client-go's resync). Default 5 min. */
  relistIntervalMs?: number;
  /** A watch with no event for this long is presumed dead and opened again. Default 3 min. */
  stallTimeoutMs?: number;
  /** Pause after a failed list, watch or write; default from 1 s, doubling up to 30 s. */
  retryBackoff?: BackoffPolicy;
  /** Changes waiting to be written beyond which the watch waits for the write in flight. Default 10,000. */
  maxPendingChanges?: number;
}

const DEFAULT_RELIST_INTERVAL_MS = 5 * 60_000;
/**
 * Longer than the minute between Kubernetes's bookmarks, so a live but quiet watch is not cut;
 * short enough that a half-open connection is noticed well before the periodic relist.
 */
const DEFAULT_STALL_TIMEOUT_MS = 3 * 60_000;
const DEFAULT_RETRY_BACKOFF: BackoffPolicy = { initialMs: 1_000, maxMs: 30_000 };
const DEFAULT_MAX_PENDING = 10_000;

/** How a watch ended without an error: the cause of the next one. */
type WatchEnd = Exclude<WatchRestartCause, 'expired' | 'error'>;

/**
 * The source of the leader's observed state, after client-go's reflector: list the managed pods
 * and store the listing, then watch from the listing's version and store every change; list
 * again when the version has expired (410 Gone) and every relist interval; watch again from the
 * last version when the server closes the stream or the watch stalls; back off after failures.
 * Changes are written in batches: those that arrive while a batch is written go in the next one.
 * It runs for one term of leadership and stops with the lease.
 */
export class PodObserver {
  private readonly relistIntervalMs: number;
  private readonly stallTimeoutMs: number;
  private readonly retryBackoff: BackoffPolicy;
  private readonly maxPending: number;

  constructor(
    private readonly deployer: Deployer,
    private readonly observed: ObservedPods,
    /** The `observe/pods` component logger. */
    private readonly log: Logger,
    private readonly metrics: ObserveMetrics,
    /** Hands the scheduler the clients whose pods vanished or terminated. */
    private readonly requestHealing: (clientIds: number[]) => void,
    /** Called when a write is refused as stale: a newer leader exists. */
    private readonly stepDown: () => Promise<void>,
    settings: PodObserverSettings = {},
    private readonly clock: LeaderClock = systemClock,
  ) {
    this.relistIntervalMs = settings.relistIntervalMs ?? DEFAULT_RELIST_INTERVAL_MS;
    this.stallTimeoutMs = settings.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
    this.retryBackoff = settings.retryBackoff ?? DEFAULT_RETRY_BACKOFF;
    this.maxPending = settings.maxPendingChanges ?? DEFAULT_MAX_PENDING;
  }

  /**
   * Observes the pods for the term of `lease`; resolves once the lease is lost, `stop` aborts or a
   * newer leader is found.
   */
  async run(lease: Lease, stop: AbortSignal): Promise<void> {
    const signal = AbortSignal.any([lease.signal, stop]);
    /** The version to watch from; undefined when a listing must come first. */
    let version: string | undefined;
    let relistAtMs = 0;
    let failures = 0;
    this.metrics.watchStarted();
    try {
      while (!signal.aborted) {
        try {
          if (version === undefined || this.clock.monotonicMs() >= relistAtMs) {
            const { listing, clientsToHeal } = await this.observed.relist(lease, () => this.deployer.list(signal));
            if (clientsToHeal.length > 0) this.requestHealing(clientsToHeal);
            version = listing.version;
            relistAtMs = this.clock.monotonicMs() + this.relistIntervalMs;
            this.log.debug({ pods: listing.pods.length, version }, 'pods listed');
          }
          const watched = await this.watch(lease, signal, version, relistAtMs);
          version = watched.version;
          this.metrics.watchRestarted(watched.end);
          if (watched.end === 'closed' && watched.events === 0) {
            // A server that ends every watch at once must not be asked again in a tight loop.
            failures++;
            await sleep(this.clock, backoffDelay(this.retryBackoff, failures), signal);
          } else {
            failures = 0;
          }
          // Info, not warn: a quiet fleet watched without bookmarks (the simulated deployer) stalls by design.
          if (watched.end === 'stalled')
            this.log.info({ version }, 'the pod watch delivered nothing for too long; watching again');
        } catch (error) {
          if (signal.aborted) return;
          if (error instanceof StaleEpochError) {
            this.log.warn({ err: error, epoch: lease.epoch }, 'a newer leader exists: stepping down');
            await this.stepDown();
            return;
          }
          if (error instanceof WatchExpiredError) {
            this.metrics.watchRestarted('expired');
            this.log.info({ version }, 'the watched version expired; listing the pods again');
            version = undefined;
            continue;
          }
          failures++;
          this.metrics.watchRestarted('error');
          const retryInMs = backoffDelay(this.retryBackoff, failures);
          this.log.warn({ err: error, failures, retryInMs }, 'observing the pods failed; retrying');
          // A failed write may have lost changes the watch had delivered: only a listing restores them.
          if (!(error instanceof WatchFailure)) version = undefined;
          await sleep(this.clock, retryInMs, signal);
        }
      }
    } finally {
      this.metrics.watchStopped();
    }
  }

  /** One watch from `from`, until it ends, stalls, the relist is due or a write fails. */
  private async watch(
    lease: Lease,
    running: AbortSignal,
    from: string,
    relistAtMs: number,
  ): Promise<{ end: WatchEnd; version: string; events: number }> {
    const stop = new AbortController();
    const signal = AbortSignal.any([running, stop.signal]);
    let end: WatchEnd = 'closed';
    const stopFor = (why: WatchEnd) => () => {
      end = why;
      stop.abort();
    };
    let cancelStall = this.clock.schedule(this.stallTimeoutMs, stopFor('stalled'));
    const cancelRelist = this.clock.schedule(relistAtMs - this.clock.monotonicMs(), stopFor('periodic'));
    const writer = new BatchWriter(this.observed, lease, this.requestHealing, () => stop.abort());
    let version = from;
    let events = 0;
    try {
      try {
        for await (const change of this.deployer.watch(from, signal)) {
          events++;
          this.metrics.eventReceived(change);
          cancelStall();
          cancelStall = this.clock.schedule(this.stallTimeoutMs, stopFor('stalled'));
          version = change.version;
          const observation = observationOf(change);
          if (observation !== undefined) await writer.add(observation, this.maxPending);
        }
      } catch (error) {
        // Stopped on purpose (stall, relist, a failed write) ends the watch; anything else is a failure.
        if (!stop.signal.aborted || running.aborted) throw error instanceof WatchExpiredError ? error : new WatchFailure(error);
      }
      await writer.flushed();
    } finally {
      cancelStall();
      cancelRelist();
    }
    return { end, version, events };
  }
}

/** The watch itself failed (not a write): watch again from the last version after the backoff. */
class WatchFailure extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'WatchFailure';
  }
}

function observationOf(change: PodChange): PodObservation | undefined {
  if (change.type === 'bookmark') return undefined;
  return change.type === 'deleted' ? { kind: 'gone', pod: change.pod } : { kind: 'seen', pod: change.pod };
}

/**
 * Group-commits a watch's changes: what arrives while a batch is written goes in the next one. A
 * failed write is kept and thrown by flushed(), and stops the watch through `onFailure`.
 */
class BatchWriter {
  private pending: PodObservation[] = [];
  private writing: Promise<void> | undefined;
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly observed: ObservedPods,
    private readonly lease: Lease,
    private readonly requestHealing: (clientIds: number[]) => void,
    private readonly onFailure: () => void,
  ) {}

  /** Queues `observation`; waits for the write in flight when `maxPending` are already waiting. */
  async add(observation: PodObservation, maxPending: number): Promise<void> {
    if (this.failure !== undefined) return;
    this.pending.push(observation);
    this.writing ??= this.writeAll();
    if (this.pending.length >= maxPending) await this.writing;
  }

  async flushed(): Promise<void> {
    await this.writing;
    if (this.failure !== undefined) throw this.failure.error;
  }

  private async writeAll(): Promise<void> {
    // Let the changes already delivered join the first batch: a watch hands out what it holds in
    // microtasks, so one turn of the event loop gathers a burst (a node lost, a mass eviction).
    await new Promise((resolve) => setImmediate(resolve));
    try {
      while (this.pending.length > 0 && this.failure === undefined) {
        const batch = this.pending;
        this.pending = [];
        const clientsToHeal = await this.observed.apply(this.lease, batch);
        if (clientsToHeal.length > 0) this.requestHealing(clientsToHeal);
      }
    } catch (error) {
      this.failure = { error };
      this.pending = [];
      this.onFailure();
    } finally {
      this.writing = undefined;
    }
  }
}
