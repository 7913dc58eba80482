import { appendFileSync } from 'node:fs';

/** A figure a scenario reports: a count, a duration in ms, a list of durations, or a note. */
export type Figure = number | string | boolean | readonly number[];

/** One scenario's figures as they travel to `npm run chaos` (one JSON line each in CHAOS_FIGURES_FILE). */
export interface ScenarioFigures {
  scenario: string;
  figures: Record<string, Figure>;
}

/** Marks the lines of the test output that carry figures. */
const FIGURES_PREFIX = '[chaos]';

/**
 * How long the scenarios run. The regular test run keeps them short; `npm run chaos` sets the
 * variables for the full figures of the issue (five kills, 60 s of churn with a kill every 10 s,
 * 200 leader freezes).
 */
export interface ChaosSettings {
  /** Leader kills in the fail-over scenario (CHAOS_FAILOVER_KILLS, default 2). */
  failoverKills: number;
  /** Length of the churn scenario (CHAOS_CHURN_SECONDS, default 20). */
  churnSeconds: number;
  /** Pause between leader kills during churn (CHAOS_KILL_EVERY_SECONDS, default 5). */
  killEverySeconds: number;
  /** Writes per second during churn (CHAOS_WRITES_PER_SECOND, default 10). */
  writesPerSecond: number;
  /** Leader freezes (SIGSTOP past the lease, then SIGCONT) in the frozen-leader scenario (CHAOS_FREEZES, default 12). */
  freezes: number;
}

function positiveNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, not "${text}"`);
  return value;
}

export function chaosSettings(env: NodeJS.ProcessEnv = process.env): ChaosSettings {
  return {
    failoverKills: Math.round(positiveNumber(env, 'CHAOS_FAILOVER_KILLS', 2)),
    churnSeconds: positiveNumber(env, 'CHAOS_CHURN_SECONDS', 20),
    killEverySeconds: positiveNumber(env, 'CHAOS_KILL_EVERY_SECONDS', 5),
    writesPerSecond: positiveNumber(env, 'CHAOS_WRITES_PER_SECOND', 10),
    freezes: Math.round(positiveNumber(env, 'CHAOS_FREEZES', 12)),
  };
}

/**
 * Prints a scenario's figures on one line of the test output and, when CHAOS_FIGURES_FILE names
 * a file, appends them to it for the table of `npm run chaos`.
 */
export function reportFigures(scenario: string, figures: Record<string, Figure>, env: NodeJS.ProcessEnv = process.env): void {
  const line: ScenarioFigures = { scenario, figures };
  console.log(`${FIGURES_PREFIX} ${JSON.stringify(line)}`);
  const file = env.CHAOS_FIGURES_FILE;
  if (file !== undefined && file !== '') appendFileSync(file, `${JSON.stringify(line)}\n`);
}

export interface Spread {
  count: number;
  min: number;
  median: number;
  max: number;
}

/** Min, median and max of `values`; undefined for none. */
export function spread(values: readonly number[]): Spread | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
  return { count: sorted.length, min: sorted[0] ?? 0, median, max: sorted.at(-1) ?? 0 };
}
