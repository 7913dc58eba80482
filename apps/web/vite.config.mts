import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const fromHere = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/** The dashboard's build: apps/web into dist/web, which the gateway serves at `/` (after `nest build`, which empties dist/). */
export default defineConfig({
  root: fromHere('.'),
  // Relative asset URLs, so the page also works behind a proxy that serves it under a path prefix.
  base: './',
  resolve: { alias: { '@podsync/api-client': fromHere('../../libs/api-client/src/index.ts') } },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fromHere('../../dist/web'),
    emptyOutDir: true,
    // Browsers of the last two years; no legacy bundle.
    target: 'es2022',
  },
  server: {
    // `npx vite --config apps/web/vite.config.mts` against `npm start` on the default port.
    proxy: { '/api': 'http://127.0.0.1:8081', '/metrics': 'http://127.0.0.1:8081' },
  },
});
