import type { PhaseTimes } from './reconciler-case';
import type { ConvergenceResult } from './reconciler-convergence';
import type { MachineInfo } from './machine';

/** One full-round case: the fleet already right (no-change) or all of it to create. */
export interface RoundRow {
  kind: 'no-change' | 'create';
  clients: number;
  pods: number;
  latencyMs: number;
  concurrency: number;
  opsPerSecond: number;
  /** Machine busy (all cores, percent) just before the case. */
  busyBeforePercent: number;
  /** measured; skipped (would exceed the bound); stopped (the time limit revoked the lease mid-round). */
  outcome: 'measured' | 'skipped' | 'stopped';
  note?: string;
  /** no-change: the first round, which also fills the empty pods table. */
  firstRoundMs?: number;
  /** no-change: the rounds after it; create: the one round. */
  roundsMs: number[];
  /** Median of roundsMs. */
  roundMs?: number;
  planned?: number;
  done?: number;
  failed?: number;
  createsPerSecond?: number;
  peakRssMb?: number;
  rssBeforeMb?: number;
  /** roundMs ÷ the plain read of the same rows. */
  timesPlainRead?: number;
  phases?: PhaseTimes;
}

export interface PlainRead {
  clients: number;
  rows: number;
  /** Median of the runs. */
  ms: number;
  runsMs: number[];
}

export interface ThroughputRow {
  configuredPerSecond: number;
  busyBeforePercent: number;
  latencyMs: number;
  concurrency: number;
  /** concurrency × 1000 / latency: what the deployer calls alone allow. */
  ceilingPerSecond: number;
  creates: number;
  roundMs: number;
  /** creates ÷ the time from the first create to the last, the bucket's initial burst included. */
  overallPerSecond: number;
  /** (creates − the bucket's capacity) ÷ the same time: the rate the limit held. */
  sustainedPerSecond: number | undefined;
  /** Sustained rate within 5% of the configured one; undefined where the ceiling is below it. */
  met: boolean | undefined;
}

export interface Target {
  name: string;
  goal: string;
  measured: string;
  met: boolean;
}

export interface ProfileLine {
  name: string;
  percent: number;
}

export interface CaseProfile {
  case: string;
  busyMs: number;
  byArea: ProfileLine[];
  topFunctions: ProfileLine[];
}

export interface ReconcilerBenchReport {
  startedAt: string;
  machine: MachineInfo;
  bounds: Record<string, number>;
  plainReads: PlainRead[];
  rounds: RoundRow[];
  throughput: ThroughputRow[];
  convergence: ConvergenceResult | { skipped: string };
  targets: Target[];
  profiles: CaseProfile[];
}

const fixed = (value: number | undefined, digits = 0): string =>
  value === undefined || Number.isNaN(value) ? '' : value.toFixed(digits);
const seconds = (ms: number | undefined): string => (ms === undefined ? '' : (ms / 1_000).toFixed(ms < 10_000 ? 2 : 1));

export function markdown(report: ReconcilerBenchReport): string {
  const m = report.machine;
  const lines = [
    `Machine: ${m.cores} × ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, PostgreSQL ${m.postgres}`,
    '',
    '| case | clients | pods | latency ms | concurrency | ops/s limit | busy before % | first round s | round s (median) | rounds s | round ÷ plain read | done / failed | creates/s | peak RSS MB (before rounds) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|---:|---|',
  ];
  for (const row of report.rounds) {
    if (row.outcome === 'skipped') {
      lines.push(
        `| ${row.kind} | ${row.clients} | ${row.pods} | ${row.latencyMs} | ${row.concurrency} | ${row.opsPerSecond} | | | skipped: ${row.note ?? ''} | | | | | |`,
      );
      continue;
    }
    const stopped = row.outcome === 'stopped' ? ` (stopped: ${row.note ?? ''})` : '';
    lines.push(
      `| ${row.kind} | ${row.clients} | ${row.pods} | ${row.latencyMs} | ${row.concurrency} | ${row.opsPerSecond} | ${row.busyBeforePercent} | ${seconds(row.firstRoundMs)} | ${seconds(row.roundMs)}${stopped} | ${row.roundsMs.map((ms) => seconds(ms)).join(', ')} | ${fixed(row.timesPlainRead, 1)} | ${row.done ?? ''} / ${row.failed ?? ''} | ${fixed(row.createsPerSecond)} | ${row.peakRssMb ?? ''} (${row.rssBeforeMb ?? ''}) |`,
    );
  }
  lines.push('', '| plain read (psql COPY of the desired-state join) | rows | ms (median) | runs ms |', '|---|---:|---:|---|');
  for (const read of report.plainReads)
    lines.push(
      `| ${read.clients} clients | ${read.rows} | ${fixed(read.ms, 1)} | ${read.runsMs.map((ms) => fixed(ms, 1)).join(', ')} |`,
    );

  const phased = report.rounds.filter((row) => row.phases !== undefined);
  if (phased.length > 0) {
    lines.push(
      '',
      '| no-change round, step by step (ms) | read desired | build desired | list | replacePods | plan |',
      '|---|---:|---:|---:|---:|---:|',
    );
    for (const row of phased) {
      const p = row.phases;
      if (p === undefined) continue;
      lines.push(
        `| ${row.clients} clients | ${fixed(p.readDesiredMs)} | ${fixed(p.buildDesiredMs)} | ${fixed(p.listMs)} | ${fixed(p.replacePodsMs)} | ${fixed(p.planMs)} |`,
      );
    }
  }

  lines.push(
    '',
    '| ops/s configured | latency ms | concurrency | ceiling ops/s | busy before % | creates | round s | overall ops/s | sustained ops/s | met |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  );
  for (const row of report.throughput) {
    lines.push(
      `| ${row.configuredPerSecond} | ${row.latencyMs} | ${row.concurrency} | ${row.ceilingPerSecond} | ${row.busyBeforePercent} | ${row.creates} | ${seconds(row.roundMs)} | ${fixed(row.overallPerSecond, 1)} | ${fixed(row.sustainedPerSecond, 1)} | ${row.met === undefined ? '(ceiling-bound)' : row.met ? 'yes' : 'NO'} |`,
    );
  }

  const convergence = report.convergence;
  lines.push('');
  if ('skipped' in convergence) {
    lines.push(`Convergence: skipped (${convergence.skipped})`);
  } else {
    lines.push(
      '| convergence (PUT → ...) | changes | converged | failed writes | p50 ms | p99 ms | max ms |',
      '|---|---:|---:|---:|---:|---:|---:|',
      `| pod running (operations.finished_at) | ${convergence.changes} | ${convergence.converged} | ${convergence.failedWrites} | ${fixed(convergence.toPodRunningMs.p50)} | ${fixed(convergence.toPodRunningMs.p99)} | ${fixed(convergence.toPodRunningMs.max)} |`,
      `| visible to a reader polling the operations table | | | | ${fixed(convergence.toVisibleMs.p50)} | ${fixed(convergence.toVisibleMs.p99)} | ${fixed(convergence.toVisibleMs.max)} |`,
      `| PUT answered | | | | ${fixed(convergence.writeMs.p50, 1)} | ${fixed(convergence.writeMs.p99, 1)} | ${fixed(convergence.writeMs.max, 1)} |`,
      '',
      `One-process app peak RSS: ${convergence.appPeakRssMb ?? '?'} MB`,
    );
  }

  lines.push('', '| target | goal | measured | met |', '|---|---|---|---|');
  for (const target of report.targets)
    lines.push(`| ${target.name} | ${target.goal} | ${target.measured} | ${target.met ? 'yes' : 'NO'} |`);

  for (const profile of report.profiles) {
    lines.push('', `CPU profile, ${profile.case} (${profile.busyMs} ms busy), self time:`);
    lines.push(...profile.byArea.slice(0, 8).map((share) => `  ${share.percent.toFixed(1).padStart(5)}%  ${share.name}`));
    lines.push(
      '  top functions:',
      ...profile.topFunctions.map((share) => `  ${share.percent.toFixed(1).padStart(5)}%  ${share.name}`),
    );
  }
  return lines.join('\n');
}
