import { CommanderError } from 'commander';
import { ApiError } from '@podsync/api-client';
import type { CliIo } from './cli-context';
import { EXIT, UsageError } from './cli-errors';
import { buildProgram } from './program';

/** Runs one command line; resolves with the exit code (0 done, 1 refused or failed, 2 bad usage). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    await buildProgram(io).parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    // commander has already written its message (or the help) to stderr.
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (error instanceof UsageError) {
      io.stderr.write(`podsync: ${error.message} (add --help for usage)\n`);
      return EXIT.usage;
    }
    const message =
      error instanceof ApiError
        ? `${error.message} (HTTP ${error.status})`
        : error instanceof Error
          ? error.message
          : String(error);
    io.stderr.write(`podsync: ${message}\n`);
    return EXIT.failed;
  }
}
