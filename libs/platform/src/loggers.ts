import type { Logger } from 'pino';
import type { LogLevel } from '@podsync/domain';

/**
 * The process's root logger and its long-lived component children. pino children keep the
 * level they were made with, so a run-time level change must reach each of them explicitly;
 * per-request children are made from the root afterwards and inherit the new level.
 */
export class Loggers {
  private readonly components = new Map<string, Logger>();

  constructor(readonly root: Logger) {}

  /** The logger of one component, e.g. `sync/reconciler`: every line carries `component`. */
  component(name: string): Logger {
    let logger = this.components.get(name);
    if (logger === undefined) {
      logger = this.root.child({ component: name });
      this.components.set(name, logger);
    }
    return logger;
  }

  setLevel(level: LogLevel): void {
    this.root.level = level;
    for (const logger of this.components.values()) logger.level = level;
  }
}
