import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface TimeShare {
  name: string;
  /** Percent of the busy (non-idle) samples. */
  percent: number;
}

export interface ProfileSummary {
  busyMs: number;
  /** Self time by where the code comes from: a package, node's internals, podsync, the GC. */
  byArea: TimeShare[];
  /** Self time by function. */
  topFunctions: TimeShare[];
}

/** Reads a V8 .cpuprofile and attributes self time (time at the top of the stack) to areas and functions. */
export function summariseProfile(path: string, topCount = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byArea = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let busyMicros = 0;
  profile.samples.forEach((nodeId, index) => {
    const frame = nodes.get(nodeId)?.callFrame;
    // The delta that follows a sample is the time it stands for.
    const micros = profile.timeDeltas[index + 1] ?? 0;
    if (frame === undefined || frame.functionName === '(idle)') return;
    busyMicros += micros;
    const area = areaOf(frame.url, frame.functionName);
    byArea.set(area, (byArea.get(area) ?? 0) + micros);
    const name = `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}${frame.url === '' ? '' : `:${frame.lineNumber + 1}`}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
  });
  const shares = (totals: Map<string, number>): TimeShare[] =>
    [...totals]
      .sort((a, b) => b[1] - a[1])
      .map(([name, micros]) => ({ name, percent: Math.round((micros / Math.max(1, busyMicros)) * 1000) / 10 }));
  return { busyMs: Math.round(busyMicros / 1000), byArea: shares(byArea), topFunctions: shares(byFunction).slice(0, topCount) };
}

function areaOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node internals';
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inPackage?.[1] !== undefined) return inPackage[1];
  const own = /\/dist\/((?:apps|libs)\/[^/]+)/.exec(url);
  return own?.[1] ?? url;
}

function shortUrl(url: string): string {
  return url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\//, '')
    .replace(/^.*\/dist\//, '');
}
