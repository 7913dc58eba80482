/** Runs a process's start-up; a failure (a database that cannot be reached, a port in use) ends it with one clear line. */
export function runProcess(start: () => Promise<void>): void {
  start().catch((error: unknown) => {
    const reason = error instanceof Error ? error.message : String(error);
    process.stderr.write(`podsync: could not start: ${reason}\n`);
    process.exit(1);
  });
}
