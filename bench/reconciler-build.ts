import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the one-process app is built from: a change to any of these makes the build stale. */
const SOURCES = ['apps', 'libs', 'drizzle', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json'];
const BUILD_TIMEOUT_MS = 300_000;
/**
 * The benchmark builds into a cache folder of its own (under the repository, so that the app finds
 * drizzle/ above it; node_modules/ is not committed): `nest build` empties its output folder
 * first, and dist/ may be in use by another program at the same time.
 */
const CACHE_DIR = 'node_modules/.cache/podsync-bench';

/**
 * Builds the one-process app with `nest build` unless its build is newer than every source, and
 * returns the path of its entry point.
 */
export function buildStandalone(root: string): string {
  const entry = join(root, CACHE_DIR, 'standalone-build/apps/standalone/src/main.js');
  const builtAt = existsSync(entry) ? statSync(entry).mtimeMs : 0;
  if (!SOURCES.some((source) => newestChange(join(root, source)) > builtAt)) return entry;
  process.stdout.write(`building the one-process app into ${CACHE_DIR}\n`);
  mkdirSync(join(root, CACHE_DIR), { recursive: true });
  // Relative to the repository, where nest looks for it.
  const tsconfig = `${CACHE_DIR}/tsconfig.standalone.json`;
  writeFileSync(
    join(root, tsconfig),
    `${JSON.stringify({ extends: '../../../tsconfig.build.json', compilerOptions: { outDir: './standalone-build' } })}\n`,
  );
  const build = spawnSync(join(root, 'node_modules/.bin/nest'), ['build', '-p', tsconfig], {
    cwd: root,
    stdio: 'inherit',
    timeout: BUILD_TIMEOUT_MS,
  });
  if (build.status !== 0 || !existsSync(entry)) {
    throw new Error(`nest build failed (exit ${build.status ?? build.signal}); fix the build and retry`);
  }
  return entry;
}

function newestChange(path: string): number {
  if (!existsSync(path)) return 0;
  const stats = statSync(path);
  if (!stats.isDirectory()) return path.endsWith('.spec.ts') ? 0 : stats.mtimeMs;
  return readdirSync(path).reduce((newest, entry) => Math.max(newest, newestChange(join(path, entry))), 0);
}
