import { type ChildProcess, spawn } from 'node:child_process';
import { killOnExit } from './kill-on-exit';
import { ProcessOutput } from './process-output';

const READY_POLL_MS = 100;
/** How many of its last lines a start-up failure shows. */
const FAILURE_TAIL_LINES = 40;

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ManagedProcessOptions {
  /** How the harness and its messages call the process, e.g. `gateway` or `replica-2`. */
  name: string;
  /** Arguments to this machine's `node`, the script first. */
  args: string[];
  /** The child's whole environment: nothing is inherited, so no stray variable changes what a test runs. */
  env: Record<string, string>;
  cwd: string;
  /** Base URL of the process's HTTP listener. */
  url: string;
  /** Path under `url` that answers 200 once the process is ready. */
  readyPath: string;
  readyTimeoutMs: number;
  /** How long a SIGTERM may take before the process is killed. */
  stopTimeoutMs: number;
  logLines: number;
  /**
   * Starts tried when the process exits before it is ready (default 1). On a busy machine an app
   * may give up on a slow dependency while it boots, as it would in a pod that is then restarted.
   */
  startAttempts?: number;
}

class Incarnation {
  paused = false;
  exit: ProcessExit | undefined;
  readonly exited: Promise<ProcessExit>;

  constructor(readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => {
      const ended = (exit: ProcessExit): void => {
        this.exit ??= exit;
        resolve(this.exit);
      };
      child.once('exit', (code, signal) => ended({ code, signal }));
      // A process that could not be spawned has no pid and emits no 'exit'.
      child.once('error', () => {
        if (child.pid === undefined) ended({ code: null, signal: null });
      });
    });
  }

  get alive(): boolean {
    return this.exit === undefined;
  }
}

class ExitedBeforeReadyError extends Error {
  override name = 'ExitedBeforeReadyError';
}

function timeout<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(resolve, ms, value).unref());
}

/**
 * A node process the tests start, signal and restart: the gateway, a reconciler replica, the test
 * Kubernetes API server. Its output is kept across restarts; every wait on it is bounded.
 */
export class ManagedProcess {
  readonly output: ProcessOutput;
  private current: Incarnation | undefined;

  constructor(protected readonly options: ManagedProcessOptions) {
    this.output = new ProcessOutput(options.logLines);
  }

  get name(): string {
    return this.options.name;
  }

  get url(): string {
    return this.options.url;
  }

  /** The running process's id; undefined before the first start and after it exited. */
  get pid(): number | undefined {
    return this.current?.alive === true ? this.current.child.pid : undefined;
  }

  get running(): boolean {
    return this.current?.alive === true;
  }

  get paused(): boolean {
    return this.current?.paused === true;
  }

  /** Spawns the process and waits until its ready path answers 200; a start that fails leaves nothing running. */
  async start(): Promise<void> {
    const attempts = this.options.startAttempts ?? 1;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.startOnce();
        return;
      } catch (error) {
        if (!(error instanceof ExitedBeforeReadyError) || attempt >= attempts) throw error;
        this.output.note(`exited before it was ready; starting it again (attempt ${attempt + 1} of ${attempts})`, undefined);
      }
    }
  }

  private async startOnce(): Promise<void> {
    if (this.running) throw new Error(`${this.name} already runs (pid ${this.pid})`);
    const child = killOnExit(
      spawn(process.execPath, this.options.args, {
        cwd: this.options.cwd,
        env: this.options.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    const incarnation = new Incarnation(child);
    this.current = incarnation;
    const { pid } = child;
    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    if (child.stdout) this.output.follow(child.stdout, 'stdout', pid);
    if (child.stderr) this.output.follow(child.stderr, 'stderr', pid);
    child.once('error', (error) => this.output.note(`could not run: ${error.message}`, pid));
    this.output.note(`started: node ${this.options.args.join(' ')}`, pid);
    void incarnation.exited.then(({ code, signal }) => this.output.note(`exited with ${signal ?? `code ${code}`}`, pid));
    try {
      await this.waitUntilReady(incarnation);
    } catch (error) {
      await this.kill('SIGKILL');
      throw error;
    }
  }

  /** Sends `signal` (SIGKILL by default) and waits for the process to exit; a paused one is continued so it can act on it. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<ProcessExit | undefined> {
    const incarnation = this.current;
    if (incarnation === undefined || !incarnation.alive) return undefined;
    incarnation.child.kill(signal);
    this.continue(incarnation);
    const exit = await Promise.race([incarnation.exited, timeout(this.options.stopTimeoutMs, undefined)]);
    if (exit === undefined)
      throw new Error(
        `${this.name} (pid ${incarnation.child.pid}) did not exit within ${this.options.stopTimeoutMs} ms of ${signal}`,
      );
    return exit;
  }

  /** SIGSTOP: the process holds its connections and leases but does nothing, like a long GC pause or a frozen VM. */
  pause(): void {
    const incarnation = this.requireRunning('pause');
    incarnation.child.kill('SIGSTOP');
    incarnation.paused = true;
  }

  /** SIGCONT after `pause()`. */
  resume(): void {
    this.continue(this.requireRunning('resume'));
  }

  /** Graceful stop: SIGTERM, then SIGKILL if it has not exited within the stop timeout. */
  async stop(): Promise<ProcessExit | undefined> {
    const incarnation = this.current;
    if (incarnation === undefined || !incarnation.alive) return undefined;
    try {
      return await this.kill('SIGTERM');
    } catch {
      this.output.note(`did not stop within ${this.options.stopTimeoutMs} ms of SIGTERM; killing it`, incarnation.child.pid);
      return this.kill('SIGKILL');
    }
  }

  /** Stops the process gracefully if it runs, then starts it again with the same port and environment. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Resolves when the running process exits on its own; fails after `timeoutMs`. */
  async waitForExit(timeoutMs: number): Promise<ProcessExit | undefined> {
    const incarnation = this.current;
    if (incarnation === undefined || !incarnation.alive) return undefined;
    const exit = await Promise.race([incarnation.exited, timeout(timeoutMs, undefined)]);
    if (exit === undefined) throw new Error(`${this.name} (pid ${incarnation.child.pid}) still runs after ${timeoutMs} ms`);
    return exit;
  }

  private continue(incarnation: Incarnation): void {
    if (!incarnation.paused) return;
    incarnation.child.kill('SIGCONT');
    incarnation.paused = false;
  }

  private requireRunning(action: string): Incarnation {
    const incarnation = this.current;
    if (incarnation === undefined || !incarnation.alive) throw new Error(`cannot ${action} ${this.name}: it is not running`);
    return incarnation;
  }

  private async waitUntilReady(incarnation: Incarnation): Promise<void> {
    const readyUrl = this.options.url + this.options.readyPath;
    const deadline = Date.now() + this.options.readyTimeoutMs;
    let lastAnswer: string;
    for (;;) {
      const { exit } = incarnation;
      if (exit !== undefined) {
        throw new ExitedBeforeReadyError(
          `${this.name} exited with ${exit.signal ?? `code ${exit.code}`} before it was ready:\n${this.tail()}`,
        );
      }
      try {
        const response = await fetch(readyUrl, { signal: AbortSignal.timeout(2_000) });
        lastAnswer = `${response.status} ${(await response.text()).slice(0, 300)}`;
        if (response.status === 200) return;
      } catch (error) {
        lastAnswer =
          error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
      }
      if (Date.now() > deadline) {
        throw new Error(
          `${this.name} not ready within ${this.options.readyTimeoutMs} ms (GET ${readyUrl}: ${lastAnswer}):\n${this.tail()}`,
        );
      }
      await timeout(READY_POLL_MS, undefined);
    }
  }

  private tail(): string {
    return this.output.dump().split('\n').slice(-FAILURE_TAIL_LINES).join('\n');
  }
}
