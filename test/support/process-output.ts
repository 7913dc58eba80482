import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';

/** One line a child process wrote; `json` holds it parsed when it is a JSON object (a pino log line). */
export interface OutputLine {
  at: Date;
  pid: number | undefined;
  stream: 'stdout' | 'stderr';
  text: string;
  json: Record<string, unknown> | undefined;
}

/** Fields a log line must hold with these exact values, e.g. `{ msg: 'operation completed', component: 'sync/reconciler' }`. */
export type LogFields = Record<string, string | number | boolean | null>;

export type LineMatcher = LogFields | ((line: OutputLine) => boolean);

function parseObject(text: string): Record<string, unknown> | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function predicate(matcher: LineMatcher): (line: OutputLine) => boolean {
  if (typeof matcher === 'function') return matcher;
  const wanted = Object.entries(matcher);
  return (line) => line.json !== undefined && wanted.every(([key, value]) => line.json?.[key] === value);
}

/**
 * The last `capacity` lines of one process's stdout and stderr, across its restarts: enough to find
 * what a test waits for and to show what happened when it fails, without growing without bound.
 */
export class ProcessOutput {
  private readonly kept: OutputLine[] = [];
  private dropped = 0;

  constructor(readonly capacity: number) {}

  /** Reads `stream` line by line until it ends; the reader also keeps a chatty child from blocking on a full pipe. */
  follow(stream: Readable, name: OutputLine['stream'], pid: number | undefined): void {
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (text) => this.add(name, text, pid));
  }

  /** A line of the harness's own about the process (started, exited), kept in order with its output. */
  note(text: string, pid: number | undefined): void {
    this.add('stderr', `[harness] ${text}`, pid);
  }

  lines(matcher?: LineMatcher): OutputLine[] {
    return matcher === undefined ? [...this.kept] : this.kept.filter(predicate(matcher));
  }

  find(matcher: LineMatcher): OutputLine | undefined {
    return this.kept.find(predicate(matcher));
  }

  /** The kept lines as text, oldest first, saying how many older ones were dropped. */
  dump(): string {
    const header = this.dropped > 0 ? [`... ${this.dropped} earlier lines dropped`] : [];
    return [
      ...header,
      ...this.kept.map((line) => `${line.at.toISOString()} ${line.pid ?? '-'} ${line.stream}: ${line.text}`),
    ].join('\n');
  }

  private add(stream: OutputLine['stream'], text: string, pid: number | undefined): void {
    this.kept.push({ at: new Date(), pid, stream, text, json: parseObject(text) });
    if (this.kept.length > this.capacity) {
      this.kept.shift();
      this.dropped += 1;
    }
  }
}
