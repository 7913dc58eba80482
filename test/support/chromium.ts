import { existsSync } from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer-core';

/** Debian's Chromium; puppeteer's own browser download cannot be used (no internet at test time). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** A headless Chromium for browser tests; fails with how to install it when it is missing. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `the dashboard tests need Chromium at ${CHROMIUM_PATH}; install it with: apt-get update && apt-get install -y chromium`,
    );
  }
  return puppeteer.launch({
    executablePath: CHROMIUM_PATH,
    // No sandbox: the tests run as root, which Chromium's sandbox refuses. The rest keeps the browser off the network.
    args: [
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    defaultViewport: { width: 1280, height: 860 },
  });
}
