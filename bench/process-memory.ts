import { readdirSync, readFileSync } from 'node:fs';

/** Memory of one process, in MiB, from /proc (Linux). */
export interface ProcessMemory {
  pid: number;
  name: string;
  /** VmRSS: resident now. */
  rssMb: number;
  /** VmHWM: the most it was ever resident. */
  peakRssMb: number;
  /**
   * Pss: resident now, each shared page divided among the processes sharing it. RSS counts a
   * PostgreSQL server's shared buffers once in every process that touched them; PSS sums honestly.
   */
  pssMb: number;
}

/** A process and all its descendants (a server the app started, and that server's workers). */
export interface TreeMemory {
  processes: ProcessMemory[];
  rssMb: number;
  /** The sum of each process's own peak: an upper bound of the tree's peak, reached at once or not. */
  peakRssMb: number;
  pssMb: number;
}

const KIB_PER_MIB = 1024;

export function treeMemory(rootPid: number): TreeMemory {
  return sumMemory([rootPid, ...descendants(rootPid)].flatMap((pid) => processMemory(pid) ?? []));
}

export function sumMemory(processes: ProcessMemory[]): TreeMemory {
  const sum = (pick: (memory: ProcessMemory) => number): number =>
    Math.round(processes.reduce((total, memory) => total + pick(memory), 0) * 10) / 10;
  return { processes, rssMb: sum((m) => m.rssMb), peakRssMb: sum((m) => m.peakRssMb), pssMb: sum((m) => m.pssMb) };
}

/** Undefined when the process is gone. */
export function processMemory(pid: number): ProcessMemory | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    return {
      pid,
      name: /^Name:\s+(.*)$/m.exec(status)?.[1] ?? '?',
      rssMb: kibField(status, 'VmRSS') / KIB_PER_MIB,
      peakRssMb: kibField(status, 'VmHWM') / KIB_PER_MIB,
      pssMb: kibField(rollup, 'Pss') / KIB_PER_MIB,
    };
  } catch {
    return undefined;
  }
}

function kibField(text: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  if (match?.[1] === undefined) throw new Error(`no ${field} in /proc`);
  return Number(match[1]);
}

/** Every process below `rootPid`, by the parent ids in /proc/<pid>/stat. */
function descendants(rootPid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // The command name, in parentheses, may hold spaces: the fields after its closing one are fixed.
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
  }
  const found: number[] = [];
  const queue = [rootPid];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    for (const child of children.get(pid) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}
