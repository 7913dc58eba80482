import { execFileSync } from 'node:child_process';
import type { MachineInfo } from './machine';
import type { ProfileSummary } from './cpu-profile-summary';
import { REQUEST_LABELS, type RequestKind } from './gateway-requests';
import type { LoadResult } from './load-result';
import type { PgbenchResult } from './pgbench';

export interface Target {
  name: string;
  goal: string;
  measured: string;
  met: boolean;
}

export interface GatewayBenchReport {
  startedAt: string;
  /** The commit measured; `-dirty` when the gateway's or the libraries' sources had uncommitted changes. */
  commit: string;
  machine: MachineInfo;
  /** CPU in use by other processes just before the run, percent of one core. */
  backgroundLoadPercent: number;
  settings: Record<string, number | string | boolean>;
  /** Pooled connections the gateway held open to PostgreSQL during the run. */
  gatewayDatabaseConnections: number;
  loads: LoadResult[];
  pgbench: PgbenchResult[];
  targets: Target[];
  profiles: Record<string, ProfileSummary>;
}

export function commitOf(root: string): string {
  try {
    const git = (...args: string[]): string => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
    const dirty = git('status', '--porcelain', '--', 'apps/gateway', 'libs') !== '';
    return `${git('rev-parse', '--short', 'HEAD')}${dirty ? '-dirty' : ''}`;
  } catch {
    return 'unknown';
  }
}

const ms = (value: number): string => value.toFixed(value < 10 ? 2 : 1);

const label = (phase: string): string => REQUEST_LABELS[phase as RequestKind] ?? phase;

export function markdown(report: GatewayBenchReport): string {
  const { machine: m } = report;
  const lines = [
    `Commit ${report.commit}. Machine: ${m.cores} × ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, PostgreSQL ${m.postgres}; busy before the run: ${report.backgroundLoadPercent}% of one core`,
    '',
    '| phase | load | 2xx/s | p50 ms | p99 ms | max ms | non-2xx | errors | CPU ms/request gateway / postgres | CPU % gateway / postgres / load gen / other / idle |',
    '|---|---|---:|---:|---:|---:|---:|---:|---|---|',
  ];
  for (const load of report.loads) {
    const perRequest =
      load.cpuMsPerResponse === undefined
        ? ''
        : `${load.cpuMsPerResponse.gateway.toFixed(2)} / ${load.cpuMsPerResponse.postgres.toFixed(2)}`;
    const cpu =
      load.cpu === undefined
        ? ''
        : `${load.cpu.gateway} / ${load.cpu.postgres} / ${load.cpu.loadGenerator} / ${load.cpu.other} / ${load.cpu.idle}`;
    lines.push(
      `| ${label(load.phase)} | ${load.load} | ${load.requestsPerSecond} | ${ms(load.latency.p50)} | ${ms(load.latency.p99)} | ${ms(load.latency.max)} | ${load.non2xx} | ${load.errors} | ${perRequest} | ${cpu} |`,
    );
    for (const [kind, part] of Object.entries(load.perKind ?? {})) {
      lines.push(
        `| ↳ ${label(kind)} | ${part.responses} responses | | ${ms(part.latency.p50)} | ${ms(part.latency.p99)} | ${ms(part.latency.max)} | | | | |`,
      );
    }
  }
  for (const run of report.pgbench) {
    lines.push(
      `| pgbench: client-create transaction | ${run.clients} connections | ${run.transactionsPerSecond} | ${ms(run.latency.p50)} | ${ms(run.latency.p99)} | ${ms(run.latency.max)} | | ${run.failed} | – / ${run.postgresCpuMsPerTransaction?.toFixed(2) ?? '?'} | |`,
    );
  }
  const busyNeighbours = report.loads.filter((load) => (load.cpu?.otherTop.length ?? 0) > 0);
  if (busyNeighbours.length > 0) lines.push('', 'Other CPU (percent of one core) during each phase:');
  for (const load of busyNeighbours) {
    lines.push(`- ${label(load.phase)}: ${load.cpu?.otherTop.map((entry) => `${entry.command} ${entry.percent}%`).join(', ')}`);
  }
  lines.push('', '| target | goal | measured | met |', '|---|---|---|---|');
  for (const target of report.targets)
    lines.push(`| ${target.name} | ${target.goal} | ${target.measured} | ${target.met ? 'yes' : 'NO'} |`);
  return lines.join('\n');
}

export function profileText(phase: string, summary: ProfileSummary): string {
  const list = (shares: { name: string; percent: number }[]): string[] =>
    shares.map((share) => `  ${share.percent.toFixed(1).padStart(5)}%  ${share.name}`);
  return [
    `CPU profile of the gateway during "${phase}" (${summary.busyMs} ms busy), self time by area:`,
    ...list(summary.byArea.slice(0, 12)),
    'top functions:',
    ...list(summary.topFunctions),
  ].join('\n');
}
