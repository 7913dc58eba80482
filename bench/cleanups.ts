/**
 * What a benchmark must undo on the way out (child processes, databases): undone in reverse order,
 * once, also after a failure or Ctrl-C.
 */
export class Cleanups {
  private readonly steps: (() => Promise<void>)[] = [];
  private running: Promise<void> | undefined;

  push(step: () => Promise<void>): void {
    this.steps.push(step);
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      for (const step of this.steps.reverse()) {
        try {
          await step();
        } catch (error) {
          process.stderr.write(`cleanup failed: ${String(error)}\n`);
        }
      }
    })();
    return this.running;
  }

  /** On SIGINT or SIGTERM: says what is being undone, undoes it and exits with 130. */
  runOnSignals(undoing: string): void {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        process.stderr.write(`\n${signal}: ${undoing}\n`);
        void this.run().finally(() => process.exit(130));
      });
    }
  }
}
