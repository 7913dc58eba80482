import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { cpus } from 'node:os';

/** CPU used during one measurement, in percent of ONE core: 200 means both cores of a 2-core machine. */
export interface CpuShare {
  gateway: number;
  /** The backends serving the benchmark's database (not PostgreSQL's background writers). */
  postgres: number;
  loadGenerator: number;
  /** Everything else that ran on the machine meanwhile. */
  other: number;
  idle: number;
  /** The biggest parts of `other`, by command, so that a busy neighbour is named. */
  otherTop: { command: string; percent: number }[];
}

export interface CpuSnapshot {
  atMs: number;
  gatewayPid: number;
  gatewayMs: number;
  /** CPU time of each PostgreSQL backend, by pid. */
  postgresMs: Map<number, number>;
  loadGeneratorMs: number;
  busyMs: number;
  totalMs: number;
  /** Every process's CPU time and command, by pid. */
  processes: Map<number, { command: string; ms: number }>;
}

const OTHER_TOP_COUNT = 3;

let ticksPerSecond: number | undefined;

/** CPU time (user + system) a process has used so far, from /proc; undefined once it is gone or off Linux. */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    // utime and stime: fields 14 and 15, counted after the ")" that closes the command name.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) / ticksPerSecond) * 1000;
  } catch {
    return undefined;
  }
}

/** CPU time each of `pids` has used so far; processes already gone are left out. */
export function processesCpuMs(pids: readonly number[]): Map<number, number> {
  const times = new Map<number, number>();
  for (const pid of pids) {
    const ms = processCpuMs(pid);
    if (ms !== undefined) times.set(pid, ms);
  }
  return times;
}

/** CPU milliseconds spent between two `processesCpuMs` readings by the processes present in both. */
export function cpuMsBetween(before: Map<number, number>, after: Map<number, number>): number {
  let spent = 0;
  for (const [pid, ms] of after) spent += ms - (before.get(pid) ?? ms);
  return spent;
}

/** Samples the gateway's, the database backends' and the whole machine's CPU time (Linux only). */
export class CpuMeter {
  private constructor(private readonly gatewayPid: number) {}

  static forProcess(pid: number): CpuMeter | undefined {
    return existsSync(`/proc/${pid}/stat`) ? new CpuMeter(pid) : undefined;
  }

  snapshot(postgresPids: readonly number[]): CpuSnapshot {
    const own = process.cpuUsage();
    let busyMs = 0;
    let totalMs = 0;
    for (const { times } of cpus()) {
      const total = times.user + times.nice + times.sys + times.idle + times.irq;
      totalMs += total;
      busyMs += total - times.idle;
    }
    return {
      atMs: performance.now(),
      gatewayPid: this.gatewayPid,
      gatewayMs: processCpuMs(this.gatewayPid) ?? 0,
      postgresMs: processesCpuMs(postgresPids),
      loadGeneratorMs: (own.user + own.system) / 1000,
      busyMs,
      totalMs,
      processes: allProcesses(),
    };
  }

  /** CPU milliseconds the gateway and the database's backends spent between two snapshots. */
  static spent(before: CpuSnapshot, after: CpuSnapshot): { gatewayMs: number; postgresMs: number } {
    return { gatewayMs: after.gatewayMs - before.gatewayMs, postgresMs: cpuMsBetween(before.postgresMs, after.postgresMs) };
  }

  static share(before: CpuSnapshot, after: CpuSnapshot): CpuShare {
    const wallMs = after.atMs - before.atMs;
    const percent = (ms: number): number => Math.round((ms / wallMs) * 100);
    const spent = CpuMeter.spent(before, after);
    const gateway = percent(spent.gatewayMs);
    const postgres = percent(spent.postgresMs);
    const loadGenerator = percent(after.loadGeneratorMs - before.loadGeneratorMs);
    const capacity = cpus().length * 100;
    const busy = Math.round(((after.busyMs - before.busyMs) / Math.max(1, after.totalMs - before.totalMs)) * capacity);
    const measured = new Set([after.gatewayPid, process.pid, ...after.postgresMs.keys()]);
    const otherByCommand = new Map<string, number>();
    for (const [pid, { command, ms }] of after.processes) {
      const earlier = before.processes.get(pid);
      if (measured.has(pid) || earlier === undefined) continue;
      otherByCommand.set(command, (otherByCommand.get(command) ?? 0) + ms - earlier.ms);
    }
    return {
      gateway,
      postgres,
      loadGenerator,
      other: Math.max(0, busy - gateway - postgres - loadGenerator),
      idle: capacity - busy,
      otherTop: [...otherByCommand]
        .map(([command, ms]) => ({ command, percent: percent(ms) }))
        .filter((entry) => entry.percent > 0)
        .sort((a, b) => b.percent - a.percent)
        .slice(0, OTHER_TOP_COUNT),
    };
  }
}

/** CPU time and a short command line of every process in /proc. */
function allProcesses(): Map<number, { command: string; ms: number }> {
  const processes = new Map<number, { command: string; ms: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const ms = processCpuMs(pid);
    if (ms !== undefined) processes.set(pid, { command: commandOf(pid), ms });
  }
  return processes;
}

/** Node's options that take the next argument as their value. */
const NODE_VALUE_OPTIONS = new Set(['-r', '--require', '--import', '--loader', '-C', '--conditions']);

/** The script node runs: its first argument that is neither an option nor an option's value. */
function scriptOf(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (NODE_VALUE_OPTIONS.has(arg)) i += 1;
    else if (arg !== '' && !arg.startsWith('-')) return arg;
  }
  return undefined;
}

/** `node vitest.mjs`, `postgres: autovacuum worker`, `postgres: backend`: the program, and what it runs. */
function commandOf(pid: number): string {
  try {
    const [program = '', ...args] = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    // PostgreSQL retitles its processes: "postgres: 15/main: walwriter", "postgres: 15/main: user db 127.0.0.1(5432) idle".
    if (program.startsWith('postgres:')) {
      const role = program.split(': ').slice(2).join(': ');
      return /\(\d+\)/.test(role) ? 'postgres: backend' : `postgres: ${role.split(' ').slice(0, 2).join(' ').trim()}`;
    }
    const name = basename(program);
    const script = name === 'node' ? scriptOf(args) : undefined;
    return script === undefined ? name : `node ${basename(script)}`;
  } catch {
    return '?';
  }
}

/** How busy the machine is before the benchmark starts, in percent of one core: others' work skews every number. */
export async function backgroundLoad(durationMs: number): Promise<number> {
  const busy = (): { busyMs: number; totalMs: number } =>
    cpus().reduce(
      (sum, { times }) => {
        const total = times.user + times.nice + times.sys + times.idle + times.irq;
        return { busyMs: sum.busyMs + total - times.idle, totalMs: sum.totalMs + total };
      },
      { busyMs: 0, totalMs: 0 },
    );
  const before = busy();
  await new Promise((resolve) => setTimeout(resolve, durationMs));
  const after = busy();
  return Math.round(((after.busyMs - before.busyMs) / Math.max(1, after.totalMs - before.totalMs)) * cpus().length * 100);
}
