import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** What the compiled apps are made of: a change to any of these makes dist/ stale. */
const SOURCES = ['apps', 'libs', 'drizzle', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json'];
const BUILD_TIMEOUT_MS = 300_000;

export function gatewayEntry(root: string): string {
  return join(root, 'dist/apps/gateway/src/main.js');
}

/** The one-process app of `npm start`, built beside the gateway by the same `nest build`. */
export function standaloneEntry(root: string): string {
  return join(root, 'dist/apps/standalone/src/main.js');
}

/** Runs `nest build` when dist/ is missing or older than a source of the gateway. */
export function ensureGatewayBuild(root: string): void {
  const entry = gatewayEntry(root);
  const builtAt = existsSync(entry) ? statSync(entry).mtimeMs : 0;
  const newer = SOURCES.map((source) => newestChange(join(root, source))).find((changedAt) => changedAt > builtAt);
  if (newer === undefined) return;
  process.stdout.write(builtAt === 0 ? 'dist/ is missing: building\n' : 'dist/ is older than the sources: building\n');
  const build = spawnSync(join(root, 'node_modules/.bin/nest'), ['build'], {
    cwd: root,
    stdio: 'inherit',
    timeout: BUILD_TIMEOUT_MS,
  });
  if (build.status !== 0 || !existsSync(entry)) {
    throw new Error(`nest build failed (exit ${build.status ?? build.signal}); fix the build or run \`npm run build\` and retry`);
  }
}

function newestChange(path: string): number {
  if (!existsSync(path)) return 0;
  const stats = statSync(path);
  if (!stats.isDirectory()) return path.endsWith('.spec.ts') ? 0 : stats.mtimeMs;
  return readdirSync(path).reduce((newest, entry) => Math.max(newest, newestChange(join(path, entry))), 0);
}
