import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import type { RoundCase, RoundCaseResult } from './reconciler-case';

/** The children still running, so that an interrupted benchmark can stop each of them. */
const running = new Set<ChildProcess>();

export function track(child: ChildProcess): ChildProcess {
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/** Kills every child this benchmark started that still runs. */
export function killChildren(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

export interface ChildOptions {
  /** Past this the child is killed and the case fails. */
  timeoutMs: number;
}

/** Runs one case in `node --import tsx bench/reconciler-round.child.ts` and returns its answer. */
export function runRoundCase(roundCase: RoundCase, options: ChildOptions): Promise<RoundCaseResult> {
  const child = track(
    fork(join(__dirname, 'reconciler-round.child.ts'), [JSON.stringify(roundCase)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    }),
  );
  return new Promise((resolve, reject) => {
    let answer: RoundCaseResult | undefined;
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
    child.on('message', (message) => (answer = message as RoundCaseResult));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0 && answer !== undefined) resolve(answer);
      else reject(new Error(`the ${roundCase.kind} case ended with ${code ?? signal}: ${stderr.trim() || 'no answer'}`));
    });
  });
}
