// The console's live tail in a real browser against the demo gateway: lines arrive after Start,
// match the filters, and stop arriving on Pause while the gateway keeps writing (checked with a
// graphql-ws client of the test's own, so no test waits on a clock).

import type { Page } from 'playwright-core';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { consoleUrl, gatewayAndBrowser, openPage, screenshot } from './browser.js';

const ctx = gatewayAndBrowser();

const received = async (page: Page) => Number(/(\d+) received/.exec((await page.locator('[data-testid=tail-count]').textContent())!)![1]);

/** Resolves once the gateway's tail has delivered `n` more events matching `filter` to a client of its own. */
function moreLinesWritten(n: number, filter: Record<string, unknown>): Promise<void> {
  const client = createClient({ url: ctx.gw.wsUrl, webSocketImpl: WebSocket, lazy: true });
  return new Promise<void>((resolve, reject) => {
    let seen = 0;
    const stop = client.subscribe(
      { query: 'subscription($f: TailFilter!) { tail(filter: $f) { ts } }', variables: { f: filter } },
      {
        next: () => {
          if (++seen >= n) {
            stop();
            void client.dispose();
            resolve();
          }
        },
        error: reject,
        complete: () => undefined,
      },
    );
  });
}

describe('live tail in the browser', () => {
  it('streams matching lines after Start and none after Pause', async () => {
    const { page, problems } = await openPage(ctx.browser, consoleUrl(ctx.gw.url, '#/tail?domain=shop'));
    await page.locator('button[name=start]').click();
    await expect.poll(() => page.locator('[data-testid=tail-lines] .ev').count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(30);
    expect(await page.locator('[data-state=live]').count()).toBe(1);
    const domains = await page.locator('[data-testid=tail-lines] .ev-dom').allTextContents();
    expect(new Set(domains)).toEqual(new Set(['shop']));
    // Follow mode keeps the newest line in view.
    expect(await page.locator('[data-testid=tail-lines] .ev').last().isVisible()).toBe(true);
    await screenshot(page, 'tail');

    await page.locator('button[name=pause]').click();
    await page.locator('[data-state=paused]').waitFor();
    // Whatever was already on its way is in by the time the stream has carried ten more lines.
    await moreLinesWritten(10, { domains: ['shop'] });
    const atPause = await received(page);
    const shownAtPause = await page.locator('[data-testid=tail-lines] .ev').count();
    await moreLinesWritten(10, { domains: ['shop'] });
    expect(await received(page)).toBe(atPause);
    expect(await page.locator('[data-testid=tail-lines] .ev').count()).toBe(shownAtPause);
    expect(await page.locator('[data-testid=dropped]').count()).toBe(0);

    // Start again picks the stream up with the same filters.
    await page.locator('button[name=start]').click();
    await expect.poll(() => received(page), { timeout: 20_000 }).toBeGreaterThan(atPause);
    await page.locator('button[name=pause]').click();
    expect(problems).toEqual([]);
    await page.close();
  });

  it('applies the level and keyword filters to the stream', async () => {
    const { page, problems } = await openPage(ctx.browser, consoleUrl(ctx.gw.url, '#/tail'));
    await page.fill('input[name=keywords]', 'order -created');
    await page.click('.levels button.lvl-INFO');
    await page.locator('button[name=start]').click();
    await expect.poll(() => page.locator('[data-testid=tail-lines] .ev').count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
    await page.locator('button[name=pause]').click();
    for (const m of await page.locator('[data-testid=tail-lines] .ev-msg').allTextContents()) {
      expect(m).toContain('order');
      expect(m).not.toContain('created');
    }
    expect(new Set(await page.locator('[data-testid=tail-lines] .ev-lvl').allTextContents())).toEqual(new Set(['INFO']));
    expect(problems).toEqual([]);
    await page.close();
  });
});
