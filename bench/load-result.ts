import type { CpuShare } from './cpu-usage';
import { type LatencySummary, summariseLatencies } from './latency';

/** What one measured phase of load produced. */
export interface LoadResult {
  phase: string;
  /** Concurrent connections (saturation) or the target request rate (fixed rate). */
  load: string;
  durationSeconds: number;
  responses: number;
  /** 2xx responses per second over the phase. */
  requestsPerSecond: number;
  /** Over every response, 2xx or not. */
  latency: LatencySummary;
  statusCounts: Record<string, number>;
  non2xx: number;
  /** Connection errors and timeouts: requests that got no response at all. */
  errors: number;
  perKind?: Record<string, { responses: number; latency: LatencySummary }>;
  cpu?: CpuShare;
  /** CPU milliseconds per response: the gateway's, and its database backends'. */
  cpuMsPerResponse?: { gateway: number; postgres: number };
  profile?: string;
}

/** Collects responses of one phase; `finish` turns them into a LoadResult. */
export class ResponseTally {
  private readonly latencies: number[] = [];
  private readonly latenciesByKind = new Map<string, number[]>();
  private readonly statusCounts: Record<string, number> = {};
  private ok = 0;
  private errors = 0;

  record(statusCode: number, latencyMs: number, kind?: string): void {
    this.latencies.push(latencyMs);
    this.statusCounts[statusCode] = (this.statusCounts[statusCode] ?? 0) + 1;
    if (statusCode >= 200 && statusCode < 300) this.ok += 1;
    if (kind === undefined) return;
    const ofKind = this.latenciesByKind.get(kind) ?? [];
    ofKind.push(latencyMs);
    this.latenciesByKind.set(kind, ofKind);
  }

  recordErrors(count: number): void {
    this.errors += count;
  }

  finish(phase: string, load: string, durationSeconds: number): LoadResult {
    const responses = this.latencies.length;
    return {
      phase,
      load,
      durationSeconds,
      responses,
      requestsPerSecond: Math.round(this.ok / durationSeconds),
      latency: summariseLatencies(this.latencies),
      statusCounts: this.statusCounts,
      non2xx: responses - this.ok,
      errors: this.errors,
      ...(this.latenciesByKind.size === 0
        ? {}
        : {
            perKind: Object.fromEntries(
              [...this.latenciesByKind].map(([kind, samples]) => [
                kind,
                { responses: samples.length, latency: summariseLatencies(samples) },
              ]),
            ),
          }),
    };
  }
}
