import { advanceLeaderEpoch, type Db } from '@podsync/db';
import { ExecutionError, type Lock, type Redlock, type Settings } from '@sesamecare-oss/redlock';
import { HeldLease } from './held-lease';
import { type LeaderClock, sleep, systemClock } from './leader-clock';
import { type Lease, type LeaderElector, type LeadershipListener, LeaseLostError } from './leader-elector';
import { LeadershipListeners } from './leadership-listeners';
import { jittered, leaseDeadline, type LeaseTiming, leaseTiming } from './lease-timing';
import { LeaseValidity } from './lease-validity';

export interface RedlockElectorSettings {
  replicaId: string;
  ttlMs: number;
  /** Namespace of the lock key (`<prefix>leader`), `podsync:` in production. */
  keyPrefix: string;
}

/**
 * One attempt per call: the elector owns its own schedule, and a retry inside Redlock would
 * spend lease time without the elector knowing.
 */
const ONE_ATTEMPT: Partial<Settings> = { retryCount: 0 };

/**
 * Leader election by a Redlock lease over one or several independent Redis servers (a majority
 * must agree). Explicit acquire and extend rather than Redlock's `using()`, whose signal fires only
 * after the lease has lapsed: here the lease counts as valid only until the last successful
 * renewal was SENT plus the TTL minus a drift margin, on a monotonic clock, and a failed renewal
 * ends the term at once.
 */
export class RedlockLeaderElector implements LeaderElector {
  private readonly listeners = new LeadershipListeners();
  private readonly timing: LeaseTiming;
  private readonly key: string;
  private campaign: { stopping: AbortController; done: Promise<void> } | undefined;
  /** The lock this replica holds, from acquire to release, including while its epoch is advanced. */
  private held: { validity: LeaseValidity; released: Promise<void> } | undefined;
  private lease: HeldLease | undefined;

  constructor(
    private readonly redlock: Redlock,
    private readonly db: Db,
    private readonly settings: RedlockElectorSettings,
    private readonly clock: LeaderClock = systemClock,
    private readonly random: () => number = Math.random,
  ) {
    this.timing = leaseTiming(settings.ttlMs);
    this.key = `${settings.keyPrefix}leader`;
  }

  async start(): Promise<void> {
    if (this.campaign !== undefined) return;
    const stopping = new AbortController();
    this.campaign = { stopping, done: this.campaignUntil(stopping.signal) };
  }

  async stop(): Promise<void> {
    const campaign = this.campaign;
    if (campaign === undefined) return;
    campaign.stopping.abort();
    this.held?.validity.revoke(new LeaseLostError('stopped'));
    await campaign.done;
    this.campaign = undefined;
  }

  async stepDown(): Promise<void> {
    const held = this.held;
    if (held === undefined) return;
    held.validity.revoke(new LeaseLostError('stepped-down'));
    await held.released;
  }

  current(): Lease | undefined {
    return this.lease?.isValid() ? this.lease : undefined;
  }

  onChange(listener: LeadershipListener): () => void {
    return this.listeners.add(listener);
  }

  private async campaignUntil(stopping: AbortSignal): Promise<void> {
    while (!stopping.aborted) {
      const sentAtMs = this.clock.monotonicMs();
      const lock = await this.tryAcquire();
      if (lock !== undefined) {
        const validity = new LeaseValidity(this.clock, leaseDeadline(sentAtMs, this.timing));
        if (stopping.aborted) validity.revoke(new LeaseLostError('stopped'));
        const released = this.lead(lock, validity);
        this.held = { validity, released };
        await released;
        this.held = undefined;
      }
      await sleep(this.clock, jittered(this.timing.acquireEveryMs, this.random), stopping);
    }
  }

  /** The lock, or undefined when another replica holds it or too few Redis servers answered. */
  private async tryAcquire(): Promise<Lock | undefined> {
    try {
      return await this.redlock.acquire([this.key], this.timing.ttlMs, ONE_ATTEMPT);
    } catch (error) {
      // Redlock reports both a held lock and unreachable servers as a failed quorum.
      if (error instanceof ExecutionError) return undefined;
      throw error;
    }
  }

  /** One term: advances the epoch, reports the election, renews until the lease is lost, releases. */
  private async lead(lock: Lock, validity: LeaseValidity): Promise<void> {
    const renewing = this.keepRenewed(lock, validity);
    const epoch = await this.advanceEpoch(validity);
    if (epoch !== undefined && validity.isValid()) {
      this.lease = new HeldLease(epoch, this.clock.now(), validity);
      this.listeners.announce(this.lease);
    }
    const lastLock = await renewing;
    // Best effort: if Redis cannot be reached, the key lapses after the TTL on its own.
    await this.redlock.release(lastLock, ONE_ATTEMPT).catch(() => undefined);
  }

  /** The new epoch, or undefined (the lease revoked) when the database refused or the lease ran out first. */
  private async advanceEpoch(validity: LeaseValidity): Promise<number | undefined> {
    // A lease lost before this point (e.g. stop() during the acquire) must not move the epoch.
    if (!validity.isValid()) return undefined;
    try {
      // Holding the lock, this replica may end the transactions of a predecessor that still hold
      // the epoch row; it gives them the time of one acquire attempt to finish first.
      const advancing = advanceLeaderEpoch(this.db, this.settings.replicaId, {
        evictBlockersAfterMs: this.timing.acquireEveryMs,
      });
      return await untilAborted(advancing, validity.signal);
    } catch (error) {
      validity.revoke(new LeaseLostError('epoch-failed', { cause: error }));
      return undefined;
    }
  }

  /** Extends the lock every TTL/3 until the lease is lost; returns the latest lock for the release. */
  private async keepRenewed(lock: Lock, validity: LeaseValidity): Promise<Lock> {
    let current = lock;
    for (;;) {
      await sleep(this.clock, this.timing.extendEveryMs, validity.signal);
      if (!validity.isValid()) return current;
      const sentAtMs = this.clock.monotonicMs();
      try {
        current = await this.redlock.extend(current, this.timing.ttlMs, ONE_ATTEMPT);
      } catch (error) {
        validity.revoke(new LeaseLostError('extend-failed', { cause: error }));
        return current;
      }
      validity.renew(leaseDeadline(sentAtMs, this.timing));
    }
  }
}

/** `promise`, or a rejection with the signal's reason as soon as `signal` aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const abort = (): void => reject(signal.reason);
    if (signal.aborted) abort();
    else signal.addEventListener('abort', abort, { once: true });
    // Also after an abort, so that a late failure of `promise` is handled rather than unhandled.
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}
