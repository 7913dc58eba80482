/**
 * `npm run chaos`: the fail-over, paused-leader, churn and frozen-leader scenarios of the cluster
 * proof at full length (five kills; 60 s of writes with a kill every 10 s; 200 freezes of the
 * leader past its lease), one after the other so that they do not slow each other down, and a
 * table of their figures for BENCHMARKS.md.
 *
 * The scenarios are the tests in test/chaos; this runs them with the settings of the issue and
 * reads the figures they report through CHAOS_FIGURES_FILE. Processes run from dist/: build first
 * (the npm script does).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { type ScenarioFigures, spread } from '../test/chaos/chaos-figures';

const ROOT = join(__dirname, '..');
const FILES = ['test/chaos/leadership.int.spec.ts', 'test/chaos/churn.int.spec.ts', 'test/chaos/frozen-leader.chaos.ts'];
/** Scenarios 1 (fail-over), 2 (paused leader), 6 (churn) and 8 (frozen leader), by the names of their tests. */
const SCENARIOS = 'scenario [1268]:';
const FULL_LENGTH = {
  CHAOS_FAILOVER_KILLS: '5',
  CHAOS_CHURN_SECONDS: '60',
  CHAOS_KILL_EVERY_SECONDS: '10',
  CHAOS_WRITES_PER_SECOND: '20',
  CHAOS_FREEZES: '200',
};

function numbers(value: unknown): number[] {
  return Array.isArray(value) ? value.filter((item): item is number => typeof item === 'number') : [];
}

function minMedianMax(values: number[]): string {
  const figures = spread(values);
  if (figures === undefined) return 'n/a';
  const seconds = (ms: number): string => (ms / 1_000).toFixed(2);
  return `${seconds(figures.min)} / ${seconds(figures.median)} / ${seconds(figures.max)} s (${figures.count} kills)`;
}

function machine(): string {
  const [cpu] = cpus();
  return `${cpus().length} × ${cpu?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Linux ${release()}, Node ${process.version}`;
}

/** The figures table, in Markdown. */
function chaosTable(results: readonly ScenarioFigures[]): string {
  const of = (scenario: string): Record<string, unknown> => results.find((result) => result.scenario === scenario)?.figures ?? {};
  const failover = of('failover');
  const paused = of('paused-leader');
  const churn = of('churn');
  const frozen = of('frozen-leader');
  const value = (figures: Record<string, unknown>, key: string): string => String(figures[key] ?? 'n/a');
  const rows: [string, string][] = [
    ['Fail-over after kill -9 of the leader: new leader, min / median / max', minMedianMax(numbers(failover.newLeaderMs))],
    ['Fail-over: first finished round of the new leader, min / median / max', minMedianMax(numbers(failover.firstRoundMs))],
    [
      'Fail-overs within TTL + 2 s (TTL 2 s), first round included',
      `${value(failover, 'withinTtlPlus2s')} of ${value(failover, 'kills')}`,
    ],
    ['Paused leader (SIGSTOP 2 × TTL): successor in office after', `${value(paused, 'takeoverMs')} ms`],
    [
      'Stale-leader pod calls (fail-over / paused leader / churn)',
      `${value(failover, 'staleLeaderCalls')} / ${value(paused, 'staleLeaderCalls')} / ${value(churn, 'staleLeaderCalls')}`,
    ],
    [
      `Churn: ${Math.round(Number(churn.churnMs) / 1_000)} s of writes, ${value(churn, 'kills')} leader kills: new leader, min / median / max`,
      minMedianMax(numbers(churn.newLeaderMs)),
    ],
    ['Churn: duplicate creates (same pod, same epoch)', value(churn, 'duplicateCreates')],
    [
      'Churn: lost writes (acknowledged, not in the database)',
      `${value(churn, 'lostWrites')} of ${value(churn, 'writesAcknowledged')} acknowledged`,
    ],
    ['Churn: pods in step with the database after the writes stopped', `${value(churn, 'convergedAfterWritesMs')} ms`],
    [
      `Frozen leader: SIGSTOP past the lease (TTL ${value(frozen, 'ttlMs')} ms) while creating and deleting pods, then SIGCONT`,
      `${value(frozen, 'freezes')} freezes of ${value(frozen, 'frozenMinMs')} / ${value(frozen, 'frozenMedianMs')} / ${value(frozen, 'frozenMaxMs')} ms (min / median / max); the leader had a call arrive in the 100 ms before ${value(frozen, 'leaderCallingWithin100msBeforeFreeze')} of them`,
    ],
    [
      'Frozen leader: pod calls of a frozen term that reached the API server after its lease lapsed',
      `${value(frozen, 'callsAfterLapse')} of ${value(frozen, 'podCalls')} pod calls (${value(frozen, 'podCreatesAndDeletes')} creates and deletes); stale-epoch calls ${value(frozen, 'staleLeaderCalls')}, duplicate operations ${value(frozen, 'duplicateOperations')}`,
    ],
  ];
  return ['| figure | value |', '|---|---|', ...rows.map(([name, cell]) => `| ${name} | ${cell} |`)].join('\n');
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'podsync-chaos-'));
  const figuresFile = join(dir, 'figures.jsonl');
  try {
    const run = spawnSync(
      join(ROOT, 'node_modules/.bin/vitest'),
      ['run', ...FILES, '--testNamePattern', SCENARIOS, '--reporter=verbose', '--no-file-parallelism'],
      {
        cwd: ROOT,
        stdio: 'inherit',
        env: { ...process.env, ...FULL_LENGTH, PODSYNC_CHAOS: '1', CHAOS_FIGURES_FILE: figuresFile },
      },
    );
    let results: ScenarioFigures[] = [];
    try {
      results = readFileSync(figuresFile, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as ScenarioFigures);
    } catch {
      // No scenario got as far as its figures; the test output above says why.
    }
    process.stdout.write(
      [
        '',
        `Command: npm run chaos (${Object.entries(FULL_LENGTH)
          .map(([name, setting]) => `${name}=${setting}`)
          .join(' ')})`,
        `Machine: ${machine()}`,
        '',
        chaosTable(results),
        '',
      ].join('\n'),
    );
    if (run.status !== 0) {
      process.stderr.write(`the chaos scenarios failed (vitest exited with ${run.status ?? run.signal})\n`);
      process.exitCode = 1;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
