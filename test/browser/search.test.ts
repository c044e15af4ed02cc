// The console's search and trace views in a real browser against the demo gateway: results in
// time order with their sources, more pages through the cursor, stack traces that open on click,
// a trace followed from a result's trace id across both demo domains, and the local GraphiQL.

import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { consoleUrl, gatewayAndBrowser, openPage, screenshot } from './browser.js';

const ctx = gatewayAndBrowser();

const times = async (page: Page) => (await page.locator('[data-testid=results] .ev').evaluateAll((els) => els.map((e) => e.getAttribute('data-ts')!))).map((t) => Date.parse(t));
const nonIncreasing = (xs: number[]) => xs.every((x, i) => i === 0 || xs[i - 1]! >= x);
const nonDecreasing = (xs: number[]) => xs.every((x, i) => i === 0 || xs[i - 1]! <= x);

describe('search in the browser', () => {
  it('shows the latest events in time order with every source and its status', async () => {
    const { page, problems } = await openPage(ctx.browser, consoleUrl(ctx.gw.url));
    await page.locator('[data-testid=results] .ev').first().waitFor();
    const ts = await times(page);
    expect(ts.length).toBeGreaterThan(1);
    expect(nonIncreasing(ts)).toBe(true);

    // The strip names every logstore the gateway searched; the demo's all answer OK.
    const { data } = await ctx.gw.gql<{ logs: { sources: { logstore: string; status: string }[] } }>('{ logs(query: {}, first: 1) { sources { logstore status } } }');
    const expected = data!.logs.sources;
    expect(await page.locator('.sources-strip .sq').count()).toBe(expected.length);
    expect(await page.locator('.sources-strip [data-status=OK]').textContent()).toBe(`${expected.length} OK`);
    await page.click('.sources-strip');
    const rows = await page.locator('.sources-table tbody tr td:first-child').allTextContents();
    expect(rows.sort()).toEqual(expected.map((s) => s.logstore).sort());
    expect(await page.locator('.histogram .caption').textContent()).toContain(`matches in the loaded results · ${ts.length} events`);
    await screenshot(page, 'search');

    // More pages come through the cursor and keep the order.
    const more = page.locator('.pager button');
    expect(await more.textContent()).toMatch(/load \d+ more/);
    await more.click();
    await page.locator(`[data-testid=results] .ev >> nth=${ts.length}`).waitFor();
    const all = await times(page);
    expect(all.length).toBeGreaterThan(ts.length);
    expect(nonIncreasing(all)).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('filters by level and keywords, oldest first, and opens a stack trace on click', async () => {
    const { page, problems } = await openPage(ctx.browser, consoleUrl(ctx.gw.url, '#/search?levels=ERROR&order=ASC&range=24h'));
    await page.locator('[data-testid=results] .ev').first().waitFor();
    const levels = await page.locator('[data-testid=results] .ev-lvl').allTextContents();
    expect(new Set(levels)).toEqual(new Set(['ERROR']));
    expect(nonDecreasing(await times(page))).toBe(true);

    const stack = page.locator('[data-testid=results] button.ev-msg.multi').first();
    const collapsed = (await stack.textContent())!;
    expect(collapsed).toMatch(/\+\d+$/);
    await stack.click();
    await stack.locator('pre').waitFor();
    const opened = (await stack.locator('pre').textContent())!;
    expect(opened.split('\n').length).toBeGreaterThan(2);
    expect(opened.startsWith(collapsed.replace(/\+\d+$/, ''))).toBe(true);

    // Keywords reach the gateway as typed: every line holds the phrase and none the exclusion.
    await page.fill('input[name=keywords]', '"payment failed" -wechat');
    await page.click('.levels button.lvl-ERROR'); // off again: every level
    await page.click('button[type=submit].primary');
    await page.waitForURL(/wechat/);
    const messages = () => page.locator('[data-testid=results] .ev-msg').allTextContents();
    await expect.poll(async () => (await messages()).length > 0 && (await messages()).every((m) => m.includes('payment failed')), { timeout: 20_000 }).toBe(true);
    expect((await messages()).some((m) => m.includes('wechat'))).toBe(false);
    expect(await page.locator('[data-testid=results] .ev mark').first().textContent()).toBe('payment failed');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('follows a trace id from a result to its hops in both domains', async () => {
    // "order … paid" is logged after the pay domain answered, so both hops exist by then.
    const { page, problems } = await openPage(ctx.browser, consoleUrl(ctx.gw.url, '#/search?app=order-service&q=paid'));
    const link = page.locator('[data-testid=results] .ev-trace a').first();
    await link.waitFor();
    const traceId = (await link.textContent())!;
    // Gateway mappings are learned as the pay gateway's lines pass through the compute core,
    // a moment after the files are written: wait until the gateway knows this one.
    const hopsKnown = async () =>
      ((await ctx.gw.gql<{ trace: { hops: unknown[] } }>('query($t: String!) { trace(traceId: $t) { hops { domain } } }', { t: traceId })).data?.trace.hops.length ?? 0) >= 2;
    for (let i = 0; i < 200 && !(await hopsKnown()); i++) await new Promise((r) => setTimeout(r, 100));
    await link.click();
    await page.locator('article.hop[data-domain=pay]').waitFor();
    const shop = page.locator('article.hop[data-domain=shop]');
    expect(await shop.locator('h3 code').textContent()).toBe(traceId);
    expect(await shop.locator('.ev').count()).toBeGreaterThan(0);
    const payId = await page.locator('article.hop[data-domain=pay] h3 code').textContent();
    expect(payId).not.toBe(traceId); // the gateway changed it; the mapping led there
    expect(await page.locator('article.hop[data-domain=pay] .ev').count()).toBeGreaterThan(0);

    // Hops come in time order of their first event, as the waterfall shows them.
    const { data } = await ctx.gw.gql<{ trace: { hops: { domain: string }[] } }>('query($t: String!) { trace(traceId: $t) { hops { domain } } }', { t: traceId });
    const shown = await page.locator('article.hop').evaluateAll((els) => els.map((e) => e.getAttribute('data-domain')));
    expect(shown).toEqual(data!.trace.hops.map((h) => h.domain));
    expect(await page.locator('.waterfall .wf-row').count()).toBe(shown.length);
    await screenshot(page, 'trace');

    // Back to the search: it is still there, as it was.
    await page.click('nav.top a[data-view=search]');
    await page.locator('[data-testid=results] .ev-trace a').first().waitFor();
    expect(await page.locator('input[name=keywords]').inputValue()).toBe('paid');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('serves a local GraphiQL that runs queries and subscriptions against the gateway', async () => {
    const { page, problems } = await openPage(ctx.browser, consoleUrl(ctx.gw.url, 'graphiql'));
    // The run button answers once the editor holds the query; a click before that does nothing.
    await expect.poll(() => page.locator('.graphiql-query-editor .view-lines').innerText().catch(() => ''), { timeout: 20_000 }).toContain('logs(');
    await page.locator('.graphiql-execute-button').click();
    // The editor draws its lines as it lays them out; innerText reads what it drew.
    const response = page.locator('.graphiql-response .view-lines');
    await expect.poll(() => response.innerText().catch(() => ''), { timeout: 20_000 }).toContain('"edges"');
    expect(await response.innerText()).toContain('"data"');

    // Subscriptions go over graphql-ws: each new tail event replaces the one shown.
    const subscription = 'subscription { tail(filter: { domains: ["pay"] }) { ts domain message } }';
    await page.goto(consoleUrl(ctx.gw.url, `graphiql?query=${encodeURIComponent(subscription)}`));
    await expect.poll(() => page.locator('.graphiql-query-editor .view-lines').innerText().catch(() => ''), { timeout: 20_000 }).toContain('tail(');
    await page.locator('.graphiql-execute-button').click();
    const shownTs = async () => /"ts":\s+"([^"]+)"/.exec(await response.innerText().catch(() => ''))?.[1];
    await expect.poll(async () => (await response.innerText().catch(() => '')).includes('"tail"'), { timeout: 20_000 }).toBe(true);
    // The editor draws spaces as no-break spaces: \s matches both.
    expect(await response.innerText()).toMatch(/"domain":\s+"pay"/);
    const first = await shownTs();
    await expect.poll(shownTs, { timeout: 20_000 }).not.toBe(first);
    expect(problems).toEqual([]);
    await page.close();
  });
});
