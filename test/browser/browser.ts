// Drives the console in Debian's Chromium through playwright-core against a real gateway
// (test/helpers/server.ts): one browser per test file, pages on the gateway's own origin, and
// screenshots into LOGFED_SCREENSHOTS (default dist/screenshots; docs/ holds the published ones).

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/server.js';

export const CHROMIUM = process.env.LOGFED_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

/** A demo gateway and a browser for the test file, started before its tests and stopped after. */
export function gatewayAndBrowser(): { gw: TestGateway; browser: Browser } {
  const ctx = {} as { gw: TestGateway; browser: Browser };
  beforeAll(async () => {
    ctx.gw = await startTestGateway();
    ctx.browser = await launchBrowser();
  });
  afterAll(async () => {
    await ctx.browser?.close();
    await ctx.gw?.stop();
  });
  return ctx;
}

/** The console's origin for a gateway whose GraphQL URL is given. */
export const consoleUrl = (graphqlUrl: string, hash = '') => graphqlUrl.replace(/\/graphql$/, '/') + hash;

/** A page that fails the test on any script error or failed request to the gateway. */
export async function openPage(browser: Browser, url: string, viewport = { width: 1400, height: 820 }): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport });
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`${res.status()} for ${res.url()}`);
  });
  page.on('requestfailed', (req) => {
    // Leaving a page aborts what it was still loading; that is not a problem of the page.
    if (req.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`);
  });
  await page.goto(url);
  return { page, problems };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = process.env.LOGFED_SCREENSHOTS ?? join('dist', 'screenshots');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path });
  return path;
}
