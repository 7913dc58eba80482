/** Longest a graceful shutdown may take before the process ends anyway (Kubernetes' grace period is 30 s). */
const SHUTDOWN_DEADLINE_MS = 20_000;

/**
 * Runs a process's start-up; a failure (a database that cannot be reached, a port in use) ends it
 * with one clear line. Once a stop signal arrives, a shutdown that hangs on a dead dependency
 * still ends in bounded time.
 */
export function runProcess(start: () => Promise<void>): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      setTimeout(() => {
        process.stderr.write(`podsync: shutdown took longer than ${SHUTDOWN_DEADLINE_MS / 1000} s; exiting\n`);
        process.exit(1);
      }, SHUTDOWN_DEADLINE_MS).unref();
    });
  }
  start().catch((error: unknown) => {
    const reason = error instanceof Error ? error.message : String(error);
    process.stderr.write(`podsync: could not start: ${reason}\n`);
    process.exit(1);
  });
}
