import { readFileSync } from 'node:fs';

/** One run of the sync engine in a child process (reconciler-round.child.ts). */
export interface RoundCase {
  /** no-change: the deployer already runs every desired pod; create: it runs none. */
  kind: 'no-change' | 'create';
  databaseUrl: string;
  /** Full rounds run one after the other. */
  rounds: number;
  latencyMs: number;
  concurrency: number;
  opsPerSecond: number;
  /** The lease is revoked after this long, which stops the round in flight. */
  timeLimitMs: number;
  /** Writes a V8 CPU profile of the measured rounds (a no-change case's first round left out) here. */
  profilePath?: string;
}

/** Each step of a no-change round, timed on its own in milliseconds. */
export interface PhaseTimes {
  /** desiredPodBatches: every batch of 1,000 clients read. */
  readDesiredMs: number;
  /** Pod names and spec hashes of the desired pods. */
  buildDesiredMs: number;
  /** The deployer's listing. */
  listMs: number;
  /** replacePods: the pods table made the listing. */
  replacePodsMs: number;
  /** plan() over desired and actual. */
  planMs: number;
}

export interface RoundCaseResult {
  /** Each round's time and counts, with the process's peak RSS (VmHWM) when it ended. */
  rounds: Array<{ ms: number; planned: number; done: number; failed: number; peakRssMb: number | undefined }>;
  /** The time limit stopped a round. */
  timedOut: boolean;
  creates: CreateTimes;
  /** RSS and peak RSS once the case was set up (the deployer's pods included), before the first round. */
  rssBeforeMb: number;
  peakRssBeforeMb: number | undefined;
  /** The process's peak RSS (VmHWM). */
  peakRssMb: number | undefined;
  phases: PhaseTimes | undefined;
}

/** When the deployer's create calls returned. */
export interface CreateTimes {
  count: number;
  /** From the first create's return to the last's. */
  spanMs: number;
  /**
   * (creates − the bucket's capacity) ÷ span: a token bucket that starts full with capacity C lets
   * at most C + rate × T calls through in T, so this is at most the configured rate and equals it
   * while the limit is what holds the round back. Undefined when the round never got past the burst.
   */
  sustainedPerSecond: number | undefined;
}

/** `returnedAtMs` in the order the calls returned; `burst` is the rate limit's bucket capacity. */
export function createTimes(returnedAtMs: readonly number[], burst: number): CreateTimes {
  const first = returnedAtMs[0] ?? 0;
  const spanMs = (returnedAtMs.at(-1) ?? first) - first;
  const beyondBurst = returnedAtMs.length - burst;
  return {
    count: returnedAtMs.length,
    spanMs,
    sustainedPerSecond: beyondBurst > 0 && spanMs > 0 ? beyondBurst / (spanMs / 1_000) : undefined,
  };
}

const MB = 1024 * 1024;

export function rssMb(): number {
  return Math.round(process.memoryUsage.rss() / MB);
}

/** Peak RSS (VmHWM from /proc) of `pid`; of this process also where /proc is missing (resourceUsage's maxRSS, in KiB). */
export function peakRssMb(pid: number | 'self' = 'self'): number | undefined {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (match?.[1] !== undefined) return Math.round(Number(match[1]) / 1024);
  } catch {
    // Not Linux, or the process is gone.
  }
  return pid === 'self' ? Math.round((process.resourceUsage().maxRSS * 1024) / MB) : undefined;
}
