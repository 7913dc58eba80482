import { type Link, ROOT_CONTEXT, type Span, type SpanContext, trace } from '@opentelemetry/api';
import {
  type Db,
  markRoundRequestServed,
  type PendingRound,
  readClusterSettings,
  requestRound,
  StaleEpochError,
  type SyncTrigger,
} from '@podsync/db';
import type { TraceCarrier } from '@podsync/domain';
import { inSpan, spanContextOf } from '@podsync/platform';
import type { Logger } from 'pino';
import { type LeaderClock, systemClock } from '../leader/leader-clock';
import { type Lease, type LeaderElector, LeaseLostError } from '../leader/leader-elector';
import { type BackoffPolicy, backoffDelay } from './backoff';
import type { RoundSummary, SyncRoundRunner } from './sync-engine';

export type FullRoundTrigger = Exclude<SyncTrigger, 'event'>;

export interface SyncSchedulerSettings {
  /** The periodic full round (PODSYNC_SYNC_INTERVAL), spread by ±5% so replicas' timers drift apart. */
  intervalMs: number;
  /** How long client requests gather before their round starts; default 50 ms. */
  eventDelayMs?: number;
  /** Pause before the round after a failed one; default from 1 s, doubling up to 1 min. */
  retryBackoff?: BackoffPolicy;
}

const PERIODIC_JITTER = 0.05;
const DEFAULT_EVENT_DELAY_MS = 50;
const DEFAULT_RETRY_BACKOFF: BackoffPolicy = { initialMs: 1_000, maxMs: 60_000 };
/** Events a round's span links at most: the SDK's default link limit, which would drop the rest anyway. */
const MAX_ROUND_LINKS = 128;

/** When two full requests meet, the round is named after the one an operator would look for. */
const TRIGGER_RANK: Record<FullRoundTrigger, number> = { periodic: 0, startup: 1, manual: 2 };

interface FullRequest {
  trigger: FullRoundTrigger;
  force: boolean;
}

type NextRound = ({ scope: 'full'; request: FullRequest } | { scope: { clientIds: number[] }; request: undefined }) & {
  /** The spans of the events the round serves (their messages' trace contexts). */
  causes: SpanContext[];
};

/**
 * Decides when the leader runs rounds: a full round when elected, every interval and on request;
 * a round of the changed clients shortly after their events. Rounds never overlap: requests made
 * during a round wait for it and then run as one follow-up, where a full request absorbs client
 * requests and client requests are united. Rounds run only while this replica holds a lease;
 * losing it aborts the round in flight through the lease's signal.
 */
export class SyncScheduler {
  private lease: Lease | undefined;
  private pendingFull: FullRequest | undefined;
  private readonly pendingClients = new Set<number>();
  private pendingCauses: SpanContext[] = [];
  private timer: { atMs: number; cancel: () => void } | undefined;
  private cancelPeriodic: () => void = () => undefined;
  private loop: Promise<void> | undefined;
  /** Monotonic time before which no round starts: the backoff after a failed round. */
  private notBeforeMs = 0;
  private failures = 0;
  private last: RoundSummary | undefined;
  private unsubscribe: (() => void) | undefined;
  /** Clients to look at again when a pod's restart backoff ends, with when. */
  private readonly backoffTimers = new Map<number, { atMs: number; cancel: () => void }>();

  constructor(
    private readonly runner: SyncRoundRunner,
    private readonly elector: LeaderElector,
    private readonly db: Db,
    /** The `sync/scheduler` component logger. */
    private readonly log: Logger,
    private readonly settings: SyncSchedulerSettings,
    private readonly clock: LeaderClock = systemClock,
    private readonly random: () => number = Math.random,
  ) {}

  /** Follows the elector: leads rounds from each election until the matching demotion. */
  start(): void {
    if (this.unsubscribe !== undefined) return;
    this.unsubscribe = this.elector.onChange((change) => (change.kind === 'elected' ? this.lead(change.lease) : this.follow()));
    const lease = this.elector.current();
    if (lease !== undefined) this.lead(lease);
  }

  /** Starts no further round and waits for the one in flight; stop the elector after this to release the lease. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.follow();
    await this.loop;
  }

  /**
   * Asks for a full round now. A manual or forced request is first stored in the cluster settings,
   * so that if leadership changes before it is served the next leader serves it; `force` lifts the
   * mass-deletion guard for that round.
   */
  async requestFull(trigger: FullRoundTrigger, force = false): Promise<void> {
    if (trigger === 'manual' || force) await requestRound(this.db, force);
    this.queueFull({ trigger, force });
  }

  /**
   * Reconciles these clients soon: called with the clients of the events the outbox relay
   * published, and the trace contexts of those events, which the round's span continues.
   */
  requestClients(clientIds: Iterable<number>, traceContexts: readonly TraceCarrier[] = []): void {
    if (this.lease === undefined) return;
    for (const clientId of clientIds) this.pendingClients.add(clientId);
    this.addCauses(traceContexts.flatMap((carrier) => spanContextOf(carrier) ?? []));
    this.kick(this.settings.eventDelayMs ?? DEFAULT_EVENT_DELAY_MS);
  }

  /** The last round this replica finished, for GET /api/v1/cluster. */
  lastRound(): RoundSummary | undefined {
    return this.last;
  }

  guarded(): boolean {
    return this.runner.guarded();
  }

  private lead(lease: Lease): void {
    this.lease = lease;
    this.failures = 0;
    this.notBeforeMs = 0;
    // The first round of a term is full: it lists the deployer and heals what the last term left.
    this.queueFull({ trigger: 'startup', force: false });
  }

  private follow(): void {
    this.lease = undefined;
    this.timer?.cancel();
    this.timer = undefined;
    this.cancelPeriodic();
    this.pendingFull = undefined;
    this.pendingClients.clear();
    this.pendingCauses = [];
    for (const timer of this.backoffTimers.values()) timer.cancel();
    this.backoffTimers.clear();
  }

  /** Reconciles each client again once its pods' restart backoff has ended (the earliest time asked for wins). */
  private retryAfterBackoff(backedOff: RoundSummary['backedOff']): void {
    const now = this.clock.monotonicMs();
    for (const { clientId, retryInMs } of backedOff) {
      const atMs = now + retryInMs;
      const scheduled = this.backoffTimers.get(clientId);
      if (scheduled !== undefined && scheduled.atMs <= atMs) continue;
      scheduled?.cancel();
      this.backoffTimers.set(clientId, {
        atMs,
        cancel: this.clock.schedule(retryInMs, () => {
          this.backoffTimers.delete(clientId);
          this.requestClients([clientId]);
        }),
      });
    }
  }

  private queueFull(request: FullRequest): void {
    if (this.lease === undefined) return;
    const pending = this.pendingFull;
    this.pendingFull =
      pending === undefined
        ? request
        : {
            trigger: TRIGGER_RANK[request.trigger] > TRIGGER_RANK[pending.trigger] ? request.trigger : pending.trigger,
            force: pending.force || request.force,
          };
    this.kick(0);
  }

  /** Starts the round loop after `delayMs`, unless it runs already (it takes what is pending when its round ends). */
  private kick(delayMs: number): void {
    if (this.lease === undefined || this.loop !== undefined || !this.hasPending()) return;
    const now = this.clock.monotonicMs();
    const atMs = Math.max(now + delayMs, this.notBeforeMs);
    if (this.timer !== undefined && this.timer.atMs <= atMs) return;
    this.timer?.cancel();
    this.timer = {
      atMs,
      cancel: this.clock.schedule(atMs - now, () => {
        this.timer = undefined;
        this.startLoop();
      }),
    };
  }

  private startLoop(): void {
    const lease = this.lease;
    if (lease === undefined || this.loop !== undefined) return;
    this.loop = this.runPending(lease).finally(() => {
      this.loop = undefined;
      this.kick(0);
    });
  }

  /** Runs rounds one after the other while requests are pending and `lease` is the current term. */
  private async runPending(lease: Lease): Promise<void> {
    while (this.lease === lease && this.clock.monotonicMs() >= this.notBeforeMs) {
      const next = this.takeNext();
      if (next === undefined) return;
      await this.runRound(lease, next);
    }
  }

  private takeNext(): NextRound | undefined {
    const full = this.pendingFull;
    const causes = this.pendingCauses;
    if (full !== undefined) {
      this.pendingFull = undefined;
      this.pendingClients.clear();
      this.pendingCauses = [];
      return { scope: 'full', request: full, causes };
    }
    if (this.pendingClients.size === 0) return undefined;
    const clientIds = [...this.pendingClients];
    this.pendingClients.clear();
    this.pendingCauses = [];
    return { scope: { clientIds }, request: undefined, causes };
  }

  /**
   * Runs the round in a span of its own. A round of one event continues that event's trace, so a
   * trace follows a write from the request to the pods; a round serving several events, or none,
   * starts a trace and links the events' spans.
   */
  private runRound(lease: Lease, next: NextRound): Promise<void> {
    const [only, ...others] = next.causes;
    const continued = next.request === undefined && only !== undefined && others.length === 0 ? only : undefined;
    const links: Link[] = continued === undefined ? next.causes.map((cause) => ({ context: cause })) : [];
    const attributes = {
      'podsync.round.trigger': next.request?.trigger ?? 'event',
      'podsync.round.scope': next.scope === 'full' ? 'full' : next.scope.clientIds.join(','),
      'podsync.leader.epoch': lease.epoch,
    };
    return inSpan(
      'sync round',
      { attributes, links },
      (span) => this.runRoundInSpan(lease, next, span),
      continued === undefined ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, continued),
    );
  }

  private async runRoundInSpan(lease: Lease, next: NextRound, span: Span): Promise<void> {
    let stored: PendingRound | undefined;
    try {
      let summary: RoundSummary;
      if (next.request === undefined) {
        summary = await this.runner.runRound(lease, 'event', next.scope);
      } else {
        this.armPeriodic();
        stored = (await readClusterSettings(this.db)).pendingRound;
        const force = next.request.force || (stored?.force ?? false);
        summary = await this.runner.runRound(lease, next.request.trigger, 'full', { force });
        // A paused round acts on nothing, so it leaves the request (and its force) for a round that will.
        if (stored !== undefined && !summary.paused) await markRoundRequestServed(this.db, stored.request);
      }
      this.last = summary;
      span.setAttribute('podsync.round.id', summary.id);
      this.failures = 0;
      this.retryAfterBackoff(summary.backedOff);
    } catch (error) {
      await this.roundFailed(lease, next, error);
    }
  }

  private async roundFailed(lease: Lease, next: NextRound, error: unknown): Promise<void> {
    if (error instanceof LeaseLostError || !lease.isValid()) {
      this.log.info(
        { epoch: lease.epoch, reason: error instanceof Error ? error.message : String(error) },
        'sync round stopped: leadership lost',
      );
      return;
    }
    if (error instanceof StaleEpochError) {
      this.log.warn({ err: error, epoch: lease.epoch }, 'a newer leader exists: stepping down');
      await this.elector.stepDown();
      return;
    }
    this.failures++;
    const retryInMs = backoffDelay(this.settings.retryBackoff ?? DEFAULT_RETRY_BACKOFF, this.failures);
    this.notBeforeMs = this.clock.monotonicMs() + retryInMs;
    // Level-triggered: running the same scope again later is harmless, and dropping it would leave
    // an event-driven change waiting for the next periodic round.
    if (next.request !== undefined) this.queueFull(next.request);
    else this.requeueClients(next.scope.clientIds);
    this.addCauses(next.causes);
    this.log.error({ err: error, failures: this.failures, retryInMs }, 'sync round failed');
  }

  private addCauses(causes: readonly SpanContext[]): void {
    this.pendingCauses.push(...causes.slice(0, MAX_ROUND_LINKS - this.pendingCauses.length));
  }

  private requeueClients(clientIds: readonly number[]): void {
    for (const clientId of clientIds) this.pendingClients.add(clientId);
  }

  private hasPending(): boolean {
    return this.pendingFull !== undefined || this.pendingClients.size > 0;
  }

  private armPeriodic(): void {
    this.cancelPeriodic();
    const spread = 1 + PERIODIC_JITTER * (2 * this.random() - 1);
    this.cancelPeriodic = this.clock.schedule(this.settings.intervalMs * spread, () =>
      this.queueFull({ trigger: 'periodic', force: false }),
    );
  }
}
