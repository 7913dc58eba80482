import { setTimeout as sleep } from 'node:timers/promises';
import { cpus, platform, release, totalmem } from 'node:os';

export interface MachineInfo {
  os: string;
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  postgres: string;
}

export function machineInfo(postgresVersion: string): MachineInfo {
  return {
    os: `${platform()} ${release()}`,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    postgres: postgresVersion,
  };
}

/** Share of all cores, in percent, that was busy over the next `windowMs`. */
export async function machineBusyPercent(windowMs = 1_000): Promise<number> {
  const before = cpuTimes();
  await sleep(windowMs);
  const after = cpuTimes();
  const total = after.total - before.total;
  return total > 0 ? Math.round(((after.busy - before.busy) / total) * 100) : 0;
}

/**
 * Waits, up to `maxWaitMs`, for the machine to be mostly idle before a case, so that a case
 * does not measure another program's build; returns how busy it was when the case started.
 */
export async function waitForQuietMachine(maxWaitMs: number, quietPercent = 25): Promise<number> {
  const deadline = Date.now() + maxWaitMs;
  let busy = await machineBusyPercent();
  while (busy > quietPercent && Date.now() < deadline) busy = await machineBusyPercent();
  return busy;
}

function cpuTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const { times } of cpus()) {
    const all = times.user + times.nice + times.sys + times.idle + times.irq;
    total += all;
    busy += all - times.idle;
  }
  return { busy, total };
}
