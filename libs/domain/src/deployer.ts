/** A pod the leader asks a deployer to run: everything its spec and its labels are made of. */
export interface PodToRun {
  name: string;
  clientId: number;
  algorithm: string;
  image: string;
  version: number;
  cpu: string;
  mem: string;
  specHash: string;
  /** The leader epoch of the replica that creates it, kept on the pod for fencing audits. */
  epoch: number;
}

export const POD_PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'] as const;
export type PodPhase = (typeof POD_PHASES)[number];

/** A pod's health in Kubernetes's own words. */
export interface PodHealth {
  phase: PodPhase;
  /** The pod's Ready condition. */
  ready: boolean;
  /** Container restarts, summed over the pod's containers. */
  restarts: number;
  /**
   * Why it is not healthy: the pod's status.reason (Evicted, ...), else the first container's
   * waiting or last-terminated reason (CrashLoopBackOff, ImagePullBackOff, ErrImagePull,
   * CreateContainerConfigError, OOMKilled, ...), else the PodScheduled condition's reason
   * (Unschedulable); null when nothing is wrong.
   */
  reason: string | null;
  message: string | null;
  /** The node it was scheduled to. */
  node: string | null;
}

/** A pod a deployer reports, read back from what the deployer stored on it, with its health. */
export interface ActualPod {
  name: string;
  clientId: number;
  algorithm: string;
  specHash: string;
  epoch: number;
  health: PodHealth;
}

/** A full listing and the version a watch continues from (Kubernetes: the list's resourceVersion). */
export interface PodListing {
  pods: ActualPod[];
  version: string;
}

/** One change seen by a watch. A pod being deleted (deletionTimestamp set) is reported as 'deleted'. */
export type PodChange =
  | { type: 'added' | 'modified' | 'deleted'; pod: ActualPod; version: string }
  /** Nothing changed, but the watch has reached this version (a Kubernetes bookmark). */
  | { type: 'bookmark'; version: string };

/** The version a watch asked for is no longer held (Kubernetes 410 Gone): list again. */
export class WatchExpiredError extends Error {
  constructor(message = 'the watched version is too old; list again', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WatchExpiredError';
  }
}

/**
 * Where pods run. Every call is idempotent — creating a pod that exists and deleting one
 * that is missing both succeed — so a round that is retried or repeated is harmless.
 * A call whose signal is aborted rejects with the signal's reason and changes nothing
 * it had not already sent. Other failures reject with a DeployerError.
 */
export interface Deployer {
  /** Every managed pod now (terminating ones left out), and the version to watch from. */
  list(signal: AbortSignal): Promise<PodListing>;
  /**
   * The changes after `from`, as they happen, until `signal` aborts. The iteration ends
   * normally when the server closes the stream (watch again from the last version seen);
   * it throws WatchExpiredError when `from` is too old (list again), or a DeployerError.
   */
  watch(from: string, signal: AbortSignal): AsyncIterable<PodChange>;
  create(pod: PodToRun, signal: AbortSignal): Promise<void>;
  delete(name: string, signal: AbortSignal): Promise<void>;
}

export interface DeployerErrorOptions {
  /** True when repeating the call cannot succeed (an invalid spec, a forbidden namespace): report it, do not retry. */
  terminal: boolean;
  /** The HTTP status the backend answered with, when there was one. */
  status?: number;
  cause?: unknown;
}

/** A deployer call that failed; `terminal` tells the caller whether retrying can help. */
export class DeployerError extends Error {
  readonly terminal: boolean;
  readonly status: number | undefined;

  constructor(message: string, options: DeployerErrorOptions) {
    super(message, { cause: options.cause });
    this.name = 'DeployerError';
    this.terminal = options.terminal;
    this.status = options.status;
  }
}
