import { existsSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import fastifyStatic from '@fastify/static';

/** Where `npm run build` writes the dashboard (apps/web), relative to the repository root. */
const DASHBOARD_BUILD = join('dist', 'web');

/**
 * Nothing on the page may come from elsewhere: the dashboard works offline and a
 * compromised asset host cannot inject code. The API and the event stream are same-origin.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

/** The built dashboard, found from here both in the source tree and in the build output; undefined before a build. */
export function dashboardFolder(from: string = __dirname): string | undefined {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, DASHBOARD_BUILD);
    if (existsSync(join(candidate, 'index.html'))) return candidate;
  }
  return undefined;
}

/**
 * Serves the dashboard's files at `/`. One route per built file (no catch-all), so every
 * other path, /api/* and /metrics included, is answered by the API as before. The page
 * routes with the URL's hash, so no path needs to fall back to index.html.
 */
export function serveDashboard(app: NestFastifyApplication, folder: string | undefined = dashboardFolder()): void {
  const logger = new Logger('Dashboard');
  if (folder === undefined) {
    logger.warn(`no dashboard at / : its files are not built (run npm run build to make ${DASHBOARD_BUILD})`);
    return;
  }
  void app.register(fastifyStatic, {
    root: folder,
    prefix: '/',
    wildcard: false,
    // Swagger UI registers its own instance; only one may decorate the reply.
    decorateReply: false,
    cacheControl: false,
    setHeaders(reply, path) {
      // Vite names every asset after its content hash, so an asset never changes; the page itself must be revalidated.
      const hashed = path.includes(`${sep}assets${sep}`);
      void reply.headers({
        'Cache-Control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
        'Content-Security-Policy': CONTENT_SECURITY_POLICY,
        'X-Content-Type-Options': 'nosniff',
      });
    },
  });
  logger.log(`dashboard at / from ${folder}`);
}
