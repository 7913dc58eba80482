import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeployerError,
  type ActualPod,
  type Deployer,
  type PodChange,
  type PodHealth,
  type PodListing,
  type PodToRun,
} from '@podsync/domain';

/** A simulated pod starts at once and stays up. */
const RUNNING: PodHealth = { phase: 'Running', ready: true, restarts: 0, reason: null, message: null, node: 'simulated' };

export interface SimulatedDeployerOptions {
  /** How long each call takes (PODSIM_LATENCY_MS). */
  latencyMs?: number;
  /** Share of calls, 0..1, that fail with a retryable DeployerError (PODSIM_FAILURE_RATE). */
  failureRate?: number;
  /** Uniform numbers in [0, 1) that decide failures; tests pass a fixed sequence. */
  random?: () => number;
}

/**
 * Pods kept in memory, for `npm start`, demos and tests: the cluster the embedded
 * default runs against. A call fails or is aborted before it changes anything, so a
 * failed create leaves no pod behind and a failed delete leaves the pod running.
 */
export class SimulatedDeployer implements Deployer {
  private readonly pods = new Map<string, ActualPod>();
  /** Every change so far, in order; a change's version is its position plus one. */
  private readonly changes: PodChange[] = [];
  private readonly watchers = new Set<() => void>();
  private readonly latencyMs: number;
  private readonly failureRate: number;
  private readonly random: () => number;

  constructor(options: SimulatedDeployerOptions = {}) {
    const { latencyMs = 0, failureRate = 0, random = Math.random } = options;
    if (!(latencyMs >= 0)) throw new RangeError(`latencyMs must be 0 or more, not ${latencyMs}`);
    if (!(failureRate >= 0 && failureRate <= 1)) throw new RangeError(`failureRate must be from 0 to 1, not ${failureRate}`);
    this.latencyMs = latencyMs;
    this.failureRate = failureRate;
    this.random = random;
  }

  async list(signal: AbortSignal): Promise<PodListing> {
    await this.simulateCall('list pods', signal);
    return { pods: [...this.pods.values()].map((pod) => ({ ...pod })), version: String(this.changes.length) };
  }

  async *watch(from: string, signal: AbortSignal): AsyncIterable<PodChange> {
    let next = Number(from);
    for (;;) {
      signal.throwIfAborted();
      while (next < this.changes.length) {
        const change = this.changes[next];
        next += 1;
        if (change !== undefined) yield change;
      }
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          this.watchers.delete(wake);
          signal.removeEventListener('abort', wake);
          resolve();
        };
        this.watchers.add(wake);
        signal.addEventListener('abort', wake, { once: true });
      });
    }
  }

  async create(pod: PodToRun, signal: AbortSignal): Promise<void> {
    await this.simulateCall(`create pod ${pod.name}`, signal);
    if (this.pods.has(pod.name)) return;
    const created: ActualPod = {
      name: pod.name,
      clientId: pod.clientId,
      algorithm: pod.algorithm,
      specHash: pod.specHash,
      epoch: pod.epoch,
      health: RUNNING,
    };
    this.pods.set(pod.name, created);
    this.record('added', created);
  }

  async delete(name: string, signal: AbortSignal): Promise<void> {
    await this.simulateCall(`delete pod ${name}`, signal);
    const deleted = this.pods.get(name);
    if (deleted === undefined) return;
    this.pods.delete(name);
    this.record('deleted', deleted);
  }

  private record(type: 'added' | 'deleted', pod: ActualPod): void {
    this.changes.push({ type, pod: { ...pod }, version: String(this.changes.length + 1) });
    for (const wake of [...this.watchers]) wake();
  }

  /** Waits the latency, then fails at the configured rate; resolves only when the call may take effect. */
  private async simulateCall(what: string, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    if (this.latencyMs > 0) {
      try {
        await sleep(this.latencyMs, undefined, { signal });
      } catch (error) {
        // Node rejects with its own AbortError; callers expect the signal's reason, as from fetch.
        if (signal.aborted) throw signal.reason;
        throw error;
      }
    }
    signal.throwIfAborted();
    if (this.failureRate > 0 && this.random() < this.failureRate) {
      throw new DeployerError(`simulated failure: ${what}`, { terminal: false });
    }
  }
}
