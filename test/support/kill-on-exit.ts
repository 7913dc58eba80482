import type { ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();
let hooked = false;

/** SIGCONT first: a stopped process would otherwise keep a pending signal and never die. */
function killLive(): void {
  for (const child of live) {
    child.kill('SIGCONT');
    child.kill('SIGKILL');
  }
}

/**
 * Registers `child` to be killed when this process exits. The last resort behind each test's own
 * clean-up: when a test worker ends without running its afterAll hooks, no server or replica is left
 * running behind it. The handler runs synchronously, as 'exit' handlers must.
 */
export function killOnExit<T extends ChildProcess>(child: T): T {
  if (!hooked) {
    process.on('exit', killLive);
    hooked = true;
  }
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}
