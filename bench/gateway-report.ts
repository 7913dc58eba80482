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

/** The phase that repeats the mixed load while event streams are held open. */
export const MIXED_WITH_STREAMS = 'mixed, streams open';

export const SERVER_NAMES = ['gateway-warn', 'gateway-info', 'baseline'] as const;
export type ServerName = (typeof SERVER_NAMES)[number];

const SERVER_LABELS: Record<ServerName, string> = {
  'gateway-warn': 'gateway, LOG_LEVEL=warn',
  'gateway-info': 'gateway, LOG_LEVEL=info',
  baseline: 'baseline (Fastify + postgres.js, same SQL work)',
};

export interface ServerLoads {
  name: ServerName;
  logLevel: 'warn' | 'info';
  /** Pooled connections the server held open to PostgreSQL during the run. */
  databaseConnections: number;
  loads: LoadResult[];
}

export interface GatewayBenchReport {
  startedAt: string;
  /** The commit measured; `-dirty` when the gateway's or the libraries' sources had uncommitted changes. */
  commit: string;
  machine: MachineInfo;
  /** CPU in use by other processes just before the run, percent of one core. */
  backgroundLoadPercent: number;
  settings: Record<string, number | string | boolean>;
  servers: ServerLoads[];
  pgbench: PgbenchResult[];
  targets: Target[];
  profiles: Record<string, ProfileSummary>;
}

/** The performance issue's goals, each as a share of the same run's baseline. */
export function gatewayTargets(servers: readonly ServerLoads[], mixedRate: number): Target[] {
  const load = (server: ServerName, phase: string): LoadResult | undefined =>
    servers.find((run) => run.name === server)?.loads.find((result) => result.phase === phase);
  const rate = (server: ServerName, phase: string): number => load(server, phase)?.requestsPerSecond ?? 0;
  const p99 = (server: ServerName): number => load(server, 'mixed')?.latency.p99 ?? Number.POSITIVE_INFINITY;
  const share = (part: number, whole: number): number => (whole === 0 ? 0 : part / whole);
  const percent = (value: number): string => `${Math.round(value * 100)}%`;
  const ofBaseline = (name: string, phase: string, basePhase: string, goal: number): Target => {
    const measured = share(rate('gateway-warn', phase), rate('baseline', basePhase));
    return {
      name,
      goal: `≥ ${percent(goal)} of the baseline's ${basePhase} rate`,
      measured: percent(measured),
      met: measured >= goal,
    };
  };
  const streamsP99 = load('gateway-warn', MIXED_WITH_STREAMS)?.latency.p99 ?? Number.POSITIVE_INFINITY;
  const infoRates = ['create', 'status', 'read', 'health'].map((phase) =>
    share(rate('gateway-info', phase), rate('gateway-warn', phase)),
  );
  const worstInfoRate = Math.min(...infoRates);
  const infoP99 = share(p99('gateway-info'), p99('gateway-warn'));
  return [
    ofBaseline('POST /api/v1/clients', 'create', 'create', 0.6),
    ofBaseline('PUT /api/v1/status/{id}', 'status', 'create', 0.6),
    ofBaseline('GET /api/v1/clients/{id}', 'read', 'read', 0.7),
    ofBaseline('GET /api/health', 'health', 'health', 0.5),
    {
      name: `p99 at ${mixedRate} req/s mixed (warn)`,
      goal: '≤ 25 ms',
      measured: `${p99('gateway-warn').toFixed(1)} ms`,
      met: p99('gateway-warn') <= 25,
    },
    {
      name: `p99 at ${mixedRate} req/s mixed with event streams open (warn)`,
      goal: '≤ 25 ms, as without them',
      measured: `${streamsP99.toFixed(1)} ms (${share(streamsP99, p99('gateway-warn')).toFixed(2)}× without)`,
      met: streamsP99 <= 25,
    },
    {
      name: 'at info: saturation rates and mixed p99 against warn',
      goal: 'no worse than 1.5×',
      measured: `slowest rate ${(1 / Math.max(worstInfoRate, 1e-9)).toFixed(2)}× lower, p99 ${infoP99.toFixed(2)}×`,
      met: worstInfoRate >= 1 / 1.5 && infoP99 <= 1.5,
    },
  ];
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
  for (const server of report.servers) {
    lines.push(`| **${SERVER_LABELS[server.name]}** (${server.databaseConnections} database connections) | | | | | | | | | |`);
    for (const load of server.loads) lines.push(...loadRows(load));
  }
  for (const run of report.pgbench) {
    lines.push(
      `| pgbench: client-create transaction | ${run.clients} connections | ${run.transactionsPerSecond} | ${ms(run.latency.p50)} | ${ms(run.latency.p99)} | ${ms(run.latency.max)} | | ${run.failed} | – / ${run.postgresCpuMsPerTransaction?.toFixed(2) ?? '?'} | |`,
    );
  }
  lines.push('', ...comparisonRows(report.servers));
  const busyNeighbours = report.servers.flatMap((server) =>
    server.loads.filter((load) => (load.cpu?.otherTop.length ?? 0) > 0).map((load) => ({ server: server.name, load })),
  );
  if (busyNeighbours.length > 0) lines.push('', 'Other CPU (percent of one core) during each phase:');
  for (const { server, load } of busyNeighbours) {
    lines.push(
      `- ${server}, ${label(load.phase)}: ${load.cpu?.otherTop.map((entry) => `${entry.command} ${entry.percent}%`).join(', ')}`,
    );
  }
  lines.push('', '| target | goal | measured | met |', '|---|---|---|---|');
  for (const target of report.targets)
    lines.push(`| ${target.name} | ${target.goal} | ${target.measured} | ${target.met ? 'yes' : 'NO'} |`);
  return lines.join('\n');
}

/** Each request kind's rate on every server, and the gateway's share of the baseline. */
function comparisonRows(servers: readonly ServerLoads[]): string[] {
  const rate = (name: ServerName, phase: string): number =>
    servers.find((server) => server.name === name)?.loads.find((load) => load.phase === phase)?.requestsPerSecond ?? 0;
  const share = (part: number, whole: number): string => (whole === 0 ? '–' : `${Math.round((part / whole) * 100)}%`);
  const rows = [
    '| request | gateway warn /s | gateway info /s | baseline /s | warn ÷ baseline | info ÷ baseline |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const phase of ['create', 'status', 'read', 'health']) {
    const [warn, info, baseline] = SERVER_NAMES.map((name) => rate(name, phase)) as [number, number, number];
    rows.push(`| ${label(phase)} | ${warn} | ${info} | ${baseline} | ${share(warn, baseline)} | ${share(info, baseline)} |`);
  }
  return rows;
}

function loadRows(load: LoadResult): string[] {
  const rows: string[] = [];
  const perRequest =
    load.cpuMsPerResponse === undefined
      ? ''
      : `${load.cpuMsPerResponse.gateway.toFixed(2)} / ${load.cpuMsPerResponse.postgres.toFixed(2)}`;
  const cpu =
    load.cpu === undefined
      ? ''
      : `${load.cpu.gateway} / ${load.cpu.postgres} / ${load.cpu.loadGenerator} / ${load.cpu.other} / ${load.cpu.idle}`;
  rows.push(
    `| ${label(load.phase)} | ${load.load} | ${load.requestsPerSecond} | ${ms(load.latency.p50)} | ${ms(load.latency.p99)} | ${ms(load.latency.max)} | ${load.non2xx} | ${load.errors} | ${perRequest} | ${cpu} |`,
  );
  for (const [kind, part] of Object.entries(load.perKind ?? {})) {
    rows.push(
      `| ↳ ${label(kind)} | ${part.responses} responses | | ${ms(part.latency.p50)} | ${ms(part.latency.p99)} | ${ms(part.latency.max)} | | | | |`,
    );
  }
  return rows;
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
