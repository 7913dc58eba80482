export const POD_PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'] as const;
export type PodPhase = (typeof POD_PHASES)[number];

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

/** A pod a deployer reports as running, read back from what the deployer stored on it. */
export interface ActualPod {
  name: string;
  clientId: number;
  algorithm: string;
  specHash: string;
  epoch: number;
}

/**
 * Where pods run. Every call is idempotent — creating a pod that exists and deleting one
 * that is missing both succeed — so a round that is retried or repeated is harmless.
 * A call whose signal is aborted rejects with the signal's reason and changes nothing
 * it had not already sent. Other failures reject with a DeployerError.
 */
export interface Deployer {
  list(signal: AbortSignal): Promise<ActualPod[]>;
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
