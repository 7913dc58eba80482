import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';
import { type HttpAnswer, httpRequest, type HttpRequestOptions } from './http-request';
import { ManagedProcess } from './managed-process';

const REPO_ROOT = join(__dirname, '..', '..');
const STANDALONE_MAIN = join(REPO_ROOT, 'dist/apps/standalone/src/main.js');
/** Preloaded by every podsync process, as the npm scripts, the image and the chart do. */
export const TRACING_PRELOAD = join(REPO_ROOT, 'dist/libs/platform/src/tracing.preload.js');

/** `npm start` as a child process: the built one-process app on embedded defaults (an embedded PostgreSQL, simulated pods). */
export class StandaloneProcess extends ManagedProcess {
  private constructor(
    url: string,
    env: Record<string, string>,
    private readonly dataDir: string,
  ) {
    super({
      name: 'standalone',
      args: ['--require', TRACING_PRELOAD, STANDALONE_MAIN],
      env,
      // A developer's .env in the repository must not reach it.
      cwd: dataDir,
      url,
      readyPath: '/api/ready',
      readyTimeoutMs: 90_000,
      stopTimeoutMs: 10_000,
      logLines: 5_000,
    });
  }

  /** Starts it on a free port and an empty data directory, with `env` over the harness's own variables. */
  static async start(env: Record<string, string> = {}): Promise<StandaloneProcess> {
    if (!existsSync(STANDALONE_MAIN) || !existsSync(TRACING_PRELOAD)) {
      throw new Error(`this test runs the built app: run \`npm run build\` first (${STANDALONE_MAIN} is missing)`);
    }
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'podsync-standalone-'));
    // The embedded database's server runs as another user when the tests run as root: let it in.
    chmodSync(dataDir, 0o755);
    const standalone = new StandaloneProcess(
      `http://127.0.0.1:${port}`,
      {
        PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
        PODSYNC_HTTP_PORT: String(port),
        PODSYNC_DATA_DIR: join(dataDir, 'data'),
        LOG_LEVEL: 'info',
        ...env,
      },
      dataDir,
    );
    try {
      await standalone.start();
    } catch (error) {
      await standalone.close();
      throw error;
    }
    return standalone;
  }

  request(method: string, path: string, options?: HttpRequestOptions): Promise<HttpAnswer> {
    return httpRequest(this.url, method, path, options);
  }

  /** Stops it gracefully and removes its data directory. */
  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
