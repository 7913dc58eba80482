import { setTimeout as sleep } from 'node:timers/promises';
import {
  type ActualPod,
  type Deployer,
  DeployerError,
  type PodChange,
  type PodHealth,
  type PodListing,
  type PodToRun,
  WatchExpiredError,
} from '@podsync/domain';

export interface SimulatedDeployerOptions {
  /** How long each call takes, and how long a created pod stays Pending (PODSIM_LATENCY_MS). */
  latencyMs?: number;
  /** Share of calls, 0..1, that fail with a retryable DeployerError (PODSIM_FAILURE_RATE). */
  failureRate?: number;
  /** Share of the running pods, 0..1, that fail each minute (PODSIM_POD_FAILURE_RATE). */
  podFailureRate?: number;
  /** Uniform numbers in [0, 1) that decide failures; tests pass a fixed sequence. */
  random?: () => number;
  /**
   * Changes kept for watches to resume from; default 1,000. A watch from an older version, or
   * one that falls this far behind, ends with WatchExpiredError, as a Kubernetes watch gets 410.
   */
  historyLimit?: number;
}

/** Reasons a simulated pod fails with when PODSIM_POD_FAILURE_RATE picks it. */
const RANDOM_FAILURE_REASONS = ['Evicted', 'OOMKilled'] as const;
const SIMULATED_NODE = 'simulated-node';
/** How often the random pod failures are drawn. */
const FAILURE_TICK_MS = 1_000;
const DEFAULT_HISTORY_LIMIT = 1_000;

const PENDING: PodHealth = { phase: 'Pending', ready: false, restarts: 0, reason: null, message: null, node: SIMULATED_NODE };
const RUNNING: PodHealth = { phase: 'Running', ready: true, restarts: 0, reason: null, message: null, node: SIMULATED_NODE };

interface WatchSubscriber {
  pending: PodChange[];
  /** Set when the subscriber must stop: the history it needs is gone, or the server closed the stream. */
  ended: 'expired' | 'closed' | undefined;
  wake: () => void;
}

/**
 * Pods kept in memory, for `npm start`, demos and tests: the cluster the embedded default runs
 * against. A call fails or is aborted before it changes anything, so a failed create leaves no
 * pod behind and a failed delete leaves the pod running. Pods live as in Kubernetes: a created
 * pod is Pending, then Running and ready after the latency; running pods fail at the configured
 * rate; and the public simulation methods (failPod, setHealth, vanish, failOnEveryStart,
 * closeWatches) do behind podsync's back what a cluster can. Every change is numbered and kept
 * in a bounded history that watches follow.
 */
export class SimulatedDeployer implements Deployer {
  private readonly pods = new Map<string, ActualPod>();
  private readonly startTimers = new Map<string, NodeJS.Timeout>();
  /** Pods that fail as soon as they start, with the reason they fail with. */
  private readonly failingOnStart = new Map<string, string>();
  private readonly history: Array<{ version: number; change: PodChange }> = [];
  private readonly subscribers = new Set<WatchSubscriber>();
  private version = 0;
  /** Every change after this version is in the history. */
  private retainedAfter = 0;
  private failureTicker: NodeJS.Timeout | undefined;
  private readonly latencyMs: number;
  private readonly failureRate: number;
  private readonly podFailureRate: number;
  private readonly random: () => number;
  private readonly historyLimit: number;

  constructor(options: SimulatedDeployerOptions = {}) {
    const { latencyMs = 0, failureRate = 0, podFailureRate = 0, random = Math.random } = options;
    const historyLimit = options.historyLimit ?? DEFAULT_HISTORY_LIMIT;
    if (!(latencyMs >= 0)) throw new RangeError(`latencyMs must be 0 or more, not ${latencyMs}`);
    if (!(failureRate >= 0 && failureRate <= 1)) throw new RangeError(`failureRate must be from 0 to 1, not ${failureRate}`);
    if (!(podFailureRate >= 0 && podFailureRate <= 1)) {
      throw new RangeError(`podFailureRate must be from 0 to 1, not ${podFailureRate}`);
    }
    if (!(Number.isInteger(historyLimit) && historyLimit >= 1)) {
      throw new RangeError(`historyLimit must be a whole number of 1 or more, not ${historyLimit}`);
    }
    this.latencyMs = latencyMs;
    this.failureRate = failureRate;
    this.podFailureRate = podFailureRate;
    this.random = random;
    this.historyLimit = historyLimit;
  }

  async list(signal: AbortSignal): Promise<PodListing> {
    await this.simulateCall('list pods', signal);
    return { pods: [...this.pods.values()].map(copyPod), version: String(this.version) };
  }

  async *watch(from: string, signal: AbortSignal): AsyncIterable<PodChange> {
    await this.simulateCall('watch pods', signal);
    const fromVersion = Number(from);
    if (!Number.isSafeInteger(fromVersion) || fromVersion < 0 || fromVersion > this.version) {
      throw new DeployerError(`watch pods: ${JSON.stringify(from)} is not a version this deployer handed out`, {
        terminal: true,
      });
    }
    if (fromVersion < this.retainedAfter) {
      throw new WatchExpiredError(`watch pods: version ${fromVersion} is older than the history kept (${this.retainedAfter})`);
    }
    const subscriber: WatchSubscriber = {
      pending: this.history.filter((entry) => entry.version > fromVersion).map((entry) => entry.change),
      ended: undefined,
      wake: () => undefined,
    };
    this.subscribers.add(subscriber);
    try {
      for (;;) {
        signal.throwIfAborted();
        const change = subscriber.pending.shift();
        if (change !== undefined) {
          yield change;
          continue;
        }
        if (subscriber.ended === 'closed') return;
        if (subscriber.ended === 'expired') {
          throw new WatchExpiredError('watch pods: the watch fell further behind than the history kept');
        }
        await new Promise<void>((resolve) => {
          const wake = (): void => {
            signal.removeEventListener('abort', wake);
            resolve();
          };
          subscriber.wake = wake;
          signal.addEventListener('abort', wake, { once: true });
        });
      }
    } finally {
      this.subscribers.delete(subscriber);
    }
  }

  async create(pod: PodToRun, signal: AbortSignal): Promise<void> {
    await this.simulateCall(`create pod ${pod.name}`, signal);
    if (this.pods.has(pod.name)) return;
    const starting = this.latencyMs > 0;
    const created: ActualPod = {
      name: pod.name,
      clientId: pod.clientId,
      algorithm: pod.algorithm,
      specHash: pod.specHash,
      epoch: pod.epoch,
      health: starting ? PENDING : RUNNING,
    };
    this.pods.set(pod.name, created);
    this.record('added', created);
    if (starting) {
      const timer = setTimeout(() => {
        this.startTimers.delete(pod.name);
        this.started(pod.name);
      }, this.latencyMs);
      timer.unref();
      this.startTimers.set(pod.name, timer);
    } else {
      this.started(pod.name);
    }
    this.armFailureTicker();
  }

  async delete(name: string, signal: AbortSignal): Promise<void> {
    await this.simulateCall(`delete pod ${name}`, signal);
    this.remove(name);
  }

  /** The pod fails as Kubernetes reports an evicted or killed pod: phase Failed, not ready. False when there is no such pod. */
  failPod(name: string, reason = 'Evicted', message: string | null = null): boolean {
    return this.setHealth(name, { phase: 'Failed', ready: false, reason, message });
  }

  /**
   * Changes what the pod reports, as the kubelet would (e.g. `{ready: false, reason:
   * 'CrashLoopBackOff', restarts: 5}`). False when there is no such pod.
   */
  setHealth(name: string, change: Partial<PodHealth>): boolean {
    const pod = this.pods.get(name);
    if (pod === undefined) return false;
    const updated: ActualPod = { ...pod, health: { ...pod.health, ...change } };
    this.pods.set(name, updated);
    this.record('modified', updated);
    return true;
  }

  /** The pod disappears without podsync asking (someone ran kubectl delete, its node was lost). */
  vanish(name: string): boolean {
    return this.remove(name);
  }

  /** From now on the pod fails each time it starts (a bad image, a crash at start-up); null lets it start again. */
  failOnEveryStart(name: string, reason: string | null = 'Error'): void {
    if (reason === null) this.failingOnStart.delete(name);
    else this.failingOnStart.set(name, reason);
  }

  /**
   * Ends every open watch as an API server does when it restarts, and forgets the history, as
   * etcd's compaction does, while other objects of the cluster moved the version on (it is
   * cluster-wide in Kubernetes): a watcher that comes back from its last version finds it expired.
   */
  closeWatches(): void {
    this.history.length = 0;
    this.version++;
    this.retainedAfter = this.version;
    for (const subscriber of this.subscribers) {
      subscriber.ended = 'closed';
      subscriber.wake();
    }
  }

  /** The pods as they are now, for tests and benchmarks that look behind podsync's back. */
  snapshot(): ActualPod[] {
    return [...this.pods.values()].map(copyPod);
  }

  private started(name: string): void {
    const pod = this.pods.get(name);
    if (pod === undefined) return;
    const failure = this.failingOnStart.get(name);
    const health: PodHealth =
      failure === undefined
        ? RUNNING
        : { ...PENDING, phase: 'Failed', reason: failure, message: 'the container exited at start' };
    if (pod.health.phase === health.phase && pod.health.ready === health.ready && pod.health.reason === health.reason) return;
    this.setHealth(name, health);
  }

  private remove(name: string): boolean {
    const pod = this.pods.get(name);
    if (pod === undefined) return false;
    clearTimeout(this.startTimers.get(name));
    this.startTimers.delete(name);
    this.pods.delete(name);
    this.record('deleted', pod);
    return true;
  }

  private record(type: 'added' | 'modified' | 'deleted', pod: ActualPod): void {
    this.version++;
    const change: PodChange = { type, pod: copyPod(pod), version: String(this.version) };
    this.history.push({ version: this.version, change });
    if (this.history.length > this.historyLimit) {
      const dropped = this.history.splice(0, this.history.length - this.historyLimit);
      this.retainedAfter = dropped.at(-1)?.version ?? this.retainedAfter;
    }
    for (const subscriber of this.subscribers) {
      if (subscriber.ended !== undefined) continue;
      // A watcher this far behind would need what the history no longer holds.
      if (subscriber.pending.length >= this.historyLimit) subscriber.ended = 'expired';
      else subscriber.pending.push(change);
      subscriber.wake();
    }
  }

  /**
   * Draws the random pod failures once a second: each running pod fails with the chance that
   * makes `podFailureRate` of them fail over a minute. The timer does not keep the process alive.
   */
  private armFailureTicker(): void {
    if (this.podFailureRate === 0 || this.failureTicker !== undefined) return;
    const perTick = 1 - (1 - this.podFailureRate) ** (FAILURE_TICK_MS / 60_000);
    this.failureTicker = setInterval(() => {
      for (const pod of [...this.pods.values()]) {
        if (pod.health.phase !== 'Running' || this.random() >= perTick) continue;
        const reason = RANDOM_FAILURE_REASONS[Math.floor(this.random() * RANDOM_FAILURE_REASONS.length)] ?? 'Evicted';
        this.failPod(pod.name, reason, 'simulated failure (PODSIM_POD_FAILURE_RATE)');
      }
    }, FAILURE_TICK_MS);
    this.failureTicker.unref();
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

function copyPod(pod: ActualPod): ActualPod {
  return { ...pod, health: { ...pod.health } };
}
