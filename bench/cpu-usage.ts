import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
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
}

export interface CpuSnapshot {
  atMs: number;
  gatewayMs: number;
  /** CPU time of each PostgreSQL backend, by pid. */
  postgresMs: Map<number, number>;
  loadGeneratorMs: number;
  busyMs: number;
  totalMs: number;
}

/** Reads CPU times from /proc (Linux only: `forProcess` answers undefined elsewhere). */
export class CpuMeter {
  private constructor(
    private readonly gatewayPid: number,
    private readonly ticksPerSecond: number,
  ) {}

  static forProcess(pid: number): CpuMeter | undefined {
    if (!existsSync(`/proc/${pid}/stat`)) return undefined;
    return new CpuMeter(pid, Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100);
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
    const postgresMs = new Map<number, number>();
    for (const pid of postgresPids) {
      const ms = this.processMs(pid);
      if (ms !== undefined) postgresMs.set(pid, ms);
    }
    return {
      atMs: performance.now(),
      gatewayMs: this.processMs(this.gatewayPid) ?? 0,
      postgresMs,
      loadGeneratorMs: (own.user + own.system) / 1000,
      busyMs,
      totalMs,
    };
  }

  /** utime + stime: fields 14 and 15 of /proc/<pid>/stat, counted after the ")" that closes the command name. */
  private processMs(pid: number): number | undefined {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return ((Number(fields[11]) + Number(fields[12])) / this.ticksPerSecond) * 1000;
    } catch {
      return undefined;
    }
  }

  /** CPU milliseconds the gateway and the database's backends spent between two snapshots. */
  static spent(before: CpuSnapshot, after: CpuSnapshot): { gatewayMs: number; postgresMs: number } {
    let postgresMs = 0;
    for (const [pid, ms] of after.postgresMs) postgresMs += ms - (before.postgresMs.get(pid) ?? ms);
    return { gatewayMs: after.gatewayMs - before.gatewayMs, postgresMs };
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
    return {
      gateway,
      postgres,
      loadGenerator,
      other: Math.max(0, busy - gateway - postgres - loadGenerator),
      idle: capacity - busy,
    };
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
