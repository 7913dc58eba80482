import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, startGateway } from '../../../../test/support/gateway-harness';
import { dashboardFolder } from './serve-dashboard';

describe('dashboardFolder', () => {
  it('finds dist/web above the given folder once built, and nothing before', () => {
    const root = mkdtempSync(join(tmpdir(), 'podsync-dashboard-'));
    try {
      const below = join(root, 'dist', 'apps', 'gateway', 'src');
      mkdirSync(below, { recursive: true });
      expect(dashboardFolder(below)).toBeUndefined();
      mkdirSync(join(root, 'dist', 'web'));
      writeFileSync(join(root, 'dist', 'web', 'index.html'), '<!doctype html>');
      expect(dashboardFolder(below)).toBe(join(root, 'dist', 'web'));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('the gateway serving the dashboard', () => {
  let gateway: RunningGateway;

  beforeAll(async () => {
    if (dashboardFolder() === undefined)
      throw new Error('the dashboard is not built: run npm run build (or npm run build:web) first');
    gateway = await startGateway({ driver: 'postgres' });
  });
  afterAll(() => gateway?.close());

  it('serves the page at / with a policy that keeps it to its own origin, revalidated on each visit', async () => {
    const page = await gateway.request('GET', '/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.text).toContain('<div id="app">');
    // Nothing in the page points elsewhere: every script and stylesheet is one of the built files.
    const assets = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)]
      .map((match) => match[1] ?? '')
      .filter((url) => !url.startsWith('data:'));
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets) {
      expect(asset).toMatch(/^\.\/assets\//);
      const file = await gateway.request('GET', `/${asset.slice(2)}`);
      expect(file.status).toBe(200);
      expect(file.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    }
  });

  it('leaves every other path to the API: its answers, and its error envelope for unknown ones', async () => {
    expect((await gateway.request('GET', '/api/health')).body).toEqual({ status: 'ok' });
    expect((await gateway.request('GET', '/metrics')).status).toBe(200);
    const unknownApi = await gateway.request('GET', '/api/v1/nothing-here');
    expect(unknownApi.status).toBe(404);
    expect(unknownApi.body).toMatchObject({ status: 'error' });
    const unknownPage = await gateway.request('GET', '/fleet');
    expect(unknownPage.status).toBe(404);
    expect(unknownPage.body).toMatchObject({ status: 'error' });
  });
});
