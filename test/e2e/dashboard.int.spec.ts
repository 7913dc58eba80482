import { mkdirSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clients } from '@podsync/db';
import { dashboardFolder } from '../../apps/gateway/src/dashboard/serve-dashboard';
import { launchChromium } from '../support/chromium';
import { type RunningGateway, SAMPLE_CLIENT, startGateway } from '../support/gateway-harness';
import { waitUntil } from '../support/wait-until';

/**
 * The dashboard in a real Chromium against the one-process app (gateway, reconciler,
 * simulated deployer). Screenshots go to a temporary folder, or to
 * DASHBOARD_SCREENSHOTS_DIR (docs/screenshots refreshes the README's).
 */
const SCREENSHOTS = resolve(process.env.DASHBOARD_SCREENSHOTS_DIR ?? join(tmpdir(), 'podsync-dashboard-screenshots'));
/** Long enough for a round to create a pod and the simulated deployer to report it running. */
const POD_WAIT_MS = 15_000;
/** A whole story in the browser: several such waits, on a machine that may be busy. */
const STORY_TIMEOUT_MS = 120_000;

function requireBuiltDashboard(): void {
  if (dashboardFolder() === undefined)
    throw new Error('the dashboard is not built: run npm run build (or npm run build:web) first');
}

/** A page that records every request it makes and every script error it meets. */
async function openPage(browser: Browser, url: string) {
  const page = await browser.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.goto(`${url}/`);
  return { page, requests, errors };
}

const switchOf = (page: Page, label: string) => page.waitForSelector(`button[role="switch"][aria-label="${label}"]`);

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

describe('dashboard in a browser', () => {
  let app: RunningGateway;
  let browser: Browser;

  beforeAll(async () => {
    requireBuiltDashboard();
    browser = await launchChromium();
    app = await startGateway({ driver: 'postgres', app: 'standalone', env: { PODSYNC_SYNC_INTERVAL: '5m' } });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it(
    'creates a client, switches VWAP on, shows the pod running, follows the stream, pauses the cluster',
    async () => {
      const { page, requests, errors } = await openPage(browser, app.url);

      await page.waitForSelector('h1 ::-p-text(Fleet)');
      await page.click('details.new-client summary');
      await page.type('details.new-client input[name="name"]', 'initech');
      await page.type('details.new-client input[name="image"]', SAMPLE_CLIENT.image);
      await page.click('details.new-client button[type="submit"]');
      // Expressions as text: they run in the page, and this file is compiled without the DOM's types.
      await page.waitForFunction('/^#\\/clients\\/\\d+$/.test(location.hash)');
      const clientId = Number(
        String(await page.evaluate('location.hash'))
          .split('/')
          .at(-1),
      );

      await (await switchOf(page, 'VWAP of initech'))?.click();
      await page.waitForSelector('button[role="switch"][aria-label="VWAP of initech"][aria-checked="true"]');
      expect((await app.request('GET', `/api/v1/status/${clientId}`)).body.data.algorithms).toMatchObject({
        VWAP: true,
        TWAP: false,
      });
      await page.waitForSelector(`[data-pod="vwap-${clientId}"][data-phase="Running"]`, { timeout: POD_WAIT_MS });
      await page.waitForSelector('td ::-p-text(create)');
      await screenshot(page, 'client');

      // A few more clients, so that the fleet shows more than one row.
      for (const [name, flags] of [
        ['globex', { VWAP: true, TWAP: true }],
        ['umbrella', { HFT: true }],
      ] as const) {
        const id = (await app.request('POST', '/api/v1/clients', { json: { ...SAMPLE_CLIENT, name } })).body.data.id;
        await app.request('PUT', `/api/v1/status/${id}`, { json: flags });
      }
      await page.goto(`${app.url}/#/`);
      await page.waitForSelector('a.client-link ::-p-text(umbrella)');
      await page.waitForFunction(`document.querySelectorAll('.pod-chip.pod-healthy').length === 4`, { timeout: POD_WAIT_MS });
      await screenshot(page, 'fleet');

      await page.goto(`${app.url}/#/events`);
      await page.waitForSelector('.stream-live');
      await app.request('PUT', `/api/v1/status/${clientId}`, { json: { TWAP: true } });
      await page.waitForSelector(`.feed-item[data-event-type="operation"] ::-p-text(create twap-${clientId} done)`, {
        timeout: POD_WAIT_MS,
      });
      await screenshot(page, 'live-feed');

      // Last: while paused, rounds act no more.
      await page.goto(`${app.url}/#/cluster`);
      await (await switchOf(page, 'Pause sync rounds (maintenance)'))?.click();
      await page.waitForSelector('button[role="switch"][aria-label="Pause sync rounds (maintenance)"][aria-checked="true"]');
      await page.waitForSelector('::-p-text(Paused for maintenance)');
      expect((await app.request('GET', '/api/v1/cluster')).body.data.paused).toBe(true);
      await page.waitForSelector('section[aria-labelledby="section-recent-rounds"] tbody tr');
      await screenshot(page, 'cluster');

      const origin = new URL(app.url).origin;
      expect(requests.filter((request) => !request.startsWith(origin) && !request.startsWith('data:'))).toEqual([]);
      expect(errors).toEqual([]);
    },
    STORY_TIMEOUT_MS,
  );
});

describe('dashboard with auth on', () => {
  let app: RunningGateway;
  let browser: Browser;

  beforeAll(async () => {
    requireBuiltDashboard();
    browser = await launchChromium();
    app = await startGateway({ driver: 'postgres', app: 'standalone', env: { PODSYNC_API_TOKENS: 'dashboard-reader:reader' } });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('asks for a token on 401, says when it is refused, then shows the fleet and follows the stream with it', async () => {
    const { page, errors } = await openPage(browser, app.url);
    await page.waitForSelector('h1 ::-p-text(Sign in)');
    await page.type('input[name="token"]', 'wrong-token');
    await page.click('button[type="submit"]');
    await page.waitForSelector('::-p-text(The gateway refused the token)');

    await page.type('input[name="token"]', 'dashboard-reader');
    await page.click('button[type="submit"]');
    await page.waitForSelector('h1 ::-p-text(Fleet)');
    await page.waitForSelector('.stream-live');
    expect(await page.evaluate(`sessionStorage.getItem('podsync.token')`)).toBe('dashboard-reader');
    expect(errors).toEqual([]);
  });
});

describe('dashboard and the mass-deletion guard', () => {
  let app: RunningGateway;
  let browser: Browser;
  // More than the guard's floor (DELETE_GUARD_FLOOR, 10): a few deletes at once are always allowed.
  const fleet = 12;

  beforeAll(async () => {
    requireBuiltDashboard();
    browser = await launchChromium();
    app = await startGateway({ driver: 'postgres', app: 'standalone' });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it(
    'shows a guarded round and forces it only after the second, confirming click',
    async () => {
      for (let n = 0; n < fleet; n += 1) {
        const id = (await app.request('POST', '/api/v1/clients', { json: { ...SAMPLE_CLIENT, name: `guarded-${n}` } })).body.data
          .id;
        await app.request('PUT', `/api/v1/status/${id}`, { json: { VWAP: true } });
      }
      const plannedDeletes = async () => (await app.request('GET', '/api/v1/sync/plan')).body.data.deletes;
      const podCount = async () => (await app.request('GET', '/api/v1/cluster')).body.data.pods.desired;
      await waitUntil(
        async () => (await app.request('GET', '/api/v1/pods')).body.data.items.length === fleet,
        `${fleet} pods`,
        POD_WAIT_MS,
        100,
      );
      // A wrong or emptied database: the guard must hold the deletions back until an operator forces them.
      await app.database.db.execute(sql`truncate ${clients} cascade`);
      await app.request('POST', '/api/v1/sync');
      await waitUntil(
        async () => (await app.request('GET', '/api/v1/cluster')).body.data.guarded === true,
        'a guarded round',
        POD_WAIT_MS,
        100,
      );
      expect(await plannedDeletes()).toBe(fleet);

      const { page, errors } = await openPage(browser, app.url);
      await page.goto(`${app.url}/#/cluster`);
      await page.waitForSelector(`::-p-text(The last round would have deleted ${fleet} pods)`);
      await page.click('::-p-text(Force the next round…)');
      // The first click only asks: nothing is forced yet.
      expect((await app.request('GET', '/api/v1/cluster')).body.data.guarded).toBe(true);
      await page.click('::-p-text(Yes, force the round and delete)');
      await waitUntil(
        async () => (await app.request('GET', '/api/v1/pods')).body.data.items.length === 0,
        'the forced deletions',
        POD_WAIT_MS,
        100,
      );
      expect(await podCount()).toBe(0);
      expect(errors).toEqual([]);
    },
    STORY_TIMEOUT_MS,
  );
});
