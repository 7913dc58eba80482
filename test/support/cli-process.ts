import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { killOnExit } from './kill-on-exit';
import { waitUntil } from './wait-until';

const REPOSITORY_ROOT = join(__dirname, '../..');
/** The built CLI, as `npx podsync` runs it (`npm run build` makes it). */
export const CLI_SCRIPT = join(REPOSITORY_ROOT, 'dist/apps/cli/src/main.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cliProcess(args: readonly string[], env: Record<string, string>): ChildProcess {
  if (!existsSync(CLI_SCRIPT)) throw new Error(`${CLI_SCRIPT} is missing: run \`npx nest build\` first`);
  // The environment is the test's alone: a PODSYNC_URL of the shell must not leak in.
  return killOnExit(
    spawn(process.execPath, [CLI_SCRIPT, ...args], { cwd: REPOSITORY_ROOT, env: { PATH: process.env.PATH ?? '', ...env } }),
  );
}

/** Runs `podsync <args>` to its end. */
export function runCliProcess(args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
  const child = cliProcess(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A long-running `podsync` (e.g. `ops tail -f`): its output so far, and a way to interrupt it. */
export interface RunningCli {
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Waits (bounded) until stdout holds `text`. */
  printed(text: string): Promise<void>;
  /** Sends SIGINT, as Ctrl-C does, and resolves with how it ended. */
  interrupt(): Promise<CliRun>;
}

export function startCliProcess(args: readonly string[], env: Record<string, string> = {}): RunningCli {
  const child = cliProcess(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    printed: (text) =>
      waitUntil(() => stdout.includes(text), `podsync ${args.join(' ')} to print "${text}" (stderr: ${stderr})`, 20_000),
    async interrupt() {
      child.kill('SIGINT');
      const code = await closed;
      return { code, stdout, stderr };
    },
  };
}
