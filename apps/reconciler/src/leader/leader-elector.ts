/** Why a replica stopped being leader. */
export type LeaseLossReason =
  /** The lease passed its deadline before it was renewed (e.g. the process was paused). */
  | 'expired'
  /** Renewing the lease failed: Redis unreachable, or another replica holds the key. */
  | 'extend-failed'
  /** The fencing epoch could not be advanced in the database after winning the lock. */
  | 'epoch-failed'
  /** The replica gave up its leadership, e.g. after a write was refused as stale. */
  | 'stepped-down'
  | 'stopped'
  /** A pod call was attempted by a replica that holds no lease at all. */
  | 'not-leader';

const LOSS_MESSAGES: Record<LeaseLossReason, string> = {
  expired: 'the leader lease expired before it was renewed',
  'extend-failed': 'the leader lease could not be renewed',
  'epoch-failed': 'the fencing epoch could not be advanced',
  'stepped-down': 'the replica stepped down',
  stopped: 'the leader elector was stopped',
  'not-leader': 'this replica holds no leader lease',
};

/** Thrown by Lease.assertValid() and carried by the lease's aborted signal. */
export class LeaseLostError extends Error {
  constructor(
    readonly reason: LeaseLossReason,
    options?: { cause?: unknown },
  ) {
    super(LOSS_MESSAGES[reason], options);
    this.name = 'LeaseLostError';
  }
}

/** One term of leadership. */
export interface Lease {
  /** The fencing epoch of this term: every write and message of the term carries it. */
  readonly epoch: number;
  readonly since: Date;
  /** Aborted, with a LeaseLostError as reason, the moment the term ends. */
  readonly signal: AbortSignal;
  /** False from the moment the lease can no longer be trusted, even before a timer noticed. */
  isValid(): boolean;
  /** Throws LeaseLostError unless the lease is valid; call it before every pod operation. */
  assertValid(): void;
  /**
   * How long the lease stays valid from now, in ms: 0 once it is lost, Infinity when it never
   * expires (embedded). A pod call must be over by then.
   */
  remainingMs(): number;
}

export type LeadershipChange = { kind: 'elected'; lease: Lease } | { kind: 'demoted'; epoch: number; reason: LeaseLostError };

export type LeadershipListener = (change: LeadershipChange) => void;

/** Decides which replica leads; only the holder of a valid lease may touch pods. */
export interface LeaderElector {
  /** Begins campaigning (or, embedded, takes the lead); resolves without waiting to be elected. */
  start(): Promise<void>;
  /** Ends any leadership and releases the lease so that a successor can win at once. */
  stop(): Promise<void>;
  /** Ends the current term, releasing the lease, and keeps campaigning: a new term gets a new epoch. */
  stepDown(): Promise<void>;
  /** The lease of the current term, or undefined while this replica is not leader. */
  current(): Lease | undefined;
  /** Tells `listener` of every election and demotion; returns a function that unsubscribes it. */
  onChange(listener: LeadershipListener): () => void;
}
