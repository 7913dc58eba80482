import { type Deployer, DeployerError, type DesiredPod, type PodOperation, type PodToRun } from '@podsync/domain';
import { type LeaderClock, sleep, systemClock } from '../leader/leader-clock';
import type { Lease } from '../leader/leader-elector';
import { type BackoffPolicy, backoffDelay } from './backoff';
import type { TokenBucket } from './token-bucket';

export interface RetrySettings {
  /** Tries of one deployer call, the first included. */
  maxAttempts: number;
  backoff: BackoffPolicy;
}

/** controller-runtime's per-item backoff starts at 5 ms; a few doublings ride out a brief API hiccup. */
export const DEFAULT_RETRY: RetrySettings = { maxAttempts: 4, backoff: { initialMs: 5, maxMs: 1_000 } };

/** What a pod operation did. */
export interface PodOperationOutcome {
  ok: boolean;
  /** The last deployer error, or why the operation stopped; undefined when ok. */
  error: unknown;
  /**
   * False when the operation stopped before any deployer call was sent (the lease was lost or the
   * round aborted first): it changed nothing and is not recorded.
   */
  sent: boolean;
  /** What is now known of the pod: running with the planned spec, gone, or as before. */
  pod: 'running' | 'gone' | 'unchanged';
  /** Deployer calls sent, retries included. */
  calls: number;
}

type CallResult = { ok: true } | { ok: false; error: unknown };

/**
 * Carries out one planned operation against the deployer: a restart is a delete then a create.
 * Each deployer call waits for a token of the rate limit, checks the lease just before it is
 * sent, and is retried with exponential backoff unless the error is terminal or `signal` aborts.
 */
export class PodOperationRunner {
  constructor(
    private readonly deployer: Deployer,
    private readonly rateLimit: TokenBucket,
    private readonly retry: RetrySettings = DEFAULT_RETRY,
    private readonly clock: LeaderClock = systemClock,
  ) {}

  async run(operation: PodOperation, lease: Lease, signal: AbortSignal): Promise<PodOperationOutcome> {
    const tally = { calls: 0 };
    const outcome = (ok: boolean, error: unknown, pod: PodOperationOutcome['pod']): PodOperationOutcome => ({
      ok,
      error,
      sent: tally.calls > 0,
      pod,
      calls: tally.calls,
    });
    const create = (pod: DesiredPod): Promise<CallResult> =>
      this.call((callSignal) => this.deployer.create(podToRun(pod, lease.epoch), callSignal), lease, signal, tally);
    const remove = (name: string): Promise<CallResult> =>
      this.call((callSignal) => this.deployer.delete(name, callSignal), lease, signal, tally);

    switch (operation.kind) {
      case 'create': {
        const created = await create(operation.pod);
        return created.ok ? outcome(true, undefined, 'running') : outcome(false, created.error, 'unchanged');
      }
      case 'delete': {
        const deleted = await remove(operation.pod.name);
        return deleted.ok ? outcome(true, undefined, 'gone') : outcome(false, deleted.error, 'unchanged');
      }
      case 'restart': {
        const deleted = await remove(operation.pod.name);
        if (!deleted.ok) return outcome(false, deleted.error, 'unchanged');
        const created = await create(operation.pod);
        return created.ok ? outcome(true, undefined, 'running') : outcome(false, created.error, 'gone');
      }
    }
  }

  private async call(
    send: (signal: AbortSignal) => Promise<void>,
    lease: Lease,
    signal: AbortSignal,
    tally: { calls: number },
  ): Promise<CallResult> {
    let lastError: unknown;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.rateLimit.take(signal);
        lease.assertValid();
      } catch (stopped) {
        return { ok: false, error: lastError ?? stopped };
      }
      tally.calls++;
      try {
        await send(signal);
        return { ok: true };
      } catch (error) {
        lastError = error;
        if (signal.aborted || isTerminal(error) || attempt >= this.retry.maxAttempts) return { ok: false, error };
      }
      await sleep(this.clock, backoffDelay(this.retry.backoff, attempt), signal);
    }
  }
}

function isTerminal(error: unknown): boolean {
  return error instanceof DeployerError && error.terminal;
}

function podToRun(pod: DesiredPod, epoch: number): PodToRun {
  return {
    name: pod.name,
    clientId: pod.clientId,
    algorithm: pod.algorithm,
    image: pod.image,
    version: pod.version,
    cpu: pod.cpu,
    mem: pod.mem,
    specHash: pod.specHash,
    epoch,
  };
}
