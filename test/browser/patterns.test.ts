// The console's patterns and alerts views in a real browser against the demo gateway: an app's
// patterns with counts and sparklines, an annotation written in the page that is still there
// after a reload (and in the gateway), and the alerts list fed by the exception scanner.

import { describe, expect, it } from 'vitest';
import { consoleUrl, gatewayAndBrowser, openPage, screenshot } from './browser.js';

const ctx = gatewayAndBrowser();

describe('patterns in the browser', () => {
  it("lists an app's patterns and keeps an annotation across a reload", async () => {
    // Patterns are mined from the live stream: wait until the gateway knows some for the app.
    const list = async () => (await ctx.gw.gql<{ patterns: { id: string; template: string }[] }>('{ patterns(filter: { apps: ["order-service"] }, first: 100) { id template } }')).data!.patterns;
    await expect.poll(async () => (await list()).length, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);

    const { page, problems } = await openPage(ctx.browser, consoleUrl(ctx.gw.url, '#/patterns?domain=shop&app=order-service'));
    const rows = page.locator('[data-testid=pattern-list] tbody tr');
    await rows.first().waitFor();
    const ids = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-id')!));
    expect(ids.length).toBeGreaterThanOrEqual(2);
    for (const id of ids) expect(id.startsWith('shop/order-service/')).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    // Most events first, as asked for; each row has its sparkline.
    const counts = (await page.locator('[data-testid=pattern-list] tbody td.num').allTextContents()).map((t) => Number(t.replace(/\+\d+$/, '').replace(/,/g, '')));
    expect(counts.every((c, i) => i === 0 || counts[i - 1]! >= c)).toBe(true);
    expect(await page.locator('[data-testid=pattern-list] tbody svg.spark').count()).toBe(ids.length);

    const target = ids[0]!;
    await rows.first().click();
    const detail = page.locator('[data-testid=pattern-detail]');
    await detail.locator('input[name=label]').waitFor();
    expect(await detail.locator('header').textContent()).toContain(target);
    expect(await detail.locator('.samples li').count()).toBeGreaterThan(0);
    await detail.locator('input[name=label]').fill('pay handoff');
    await detail.locator('textarea[name=cause]').fill('the shop calls the pay gateway for every order');
    await detail.locator('textarea[name=advice]').fill('normal; worry when it stops');
    await detail.locator('button[type=submit]').click();
    await expect.poll(() => detail.locator('[data-testid=annotation-meta]').textContent(), { timeout: 10_000 }).toMatch(/^saved as /);

    // The gateway holds it ...
    const { data } = await ctx.gw.gql<{ pattern: { annotation: { label: string; cause: string; advice: string } } }>('query($id: ID!) { pattern(id: $id) { annotation { label cause advice } } }', { id: target });
    expect(data!.pattern.annotation).toEqual({ label: 'pay handoff', cause: 'the shop calls the pay gateway for every order', advice: 'normal; worry when it stops' });

    // ... and a reload (the address keeps the selection) shows it in the list and the form.
    await page.reload();
    await page.locator(`[data-testid=pattern-list] tr[data-id="${target}"] .badge.label`).waitFor();
    expect(await page.locator(`[data-testid=pattern-list] tr[data-id="${target}"] .badge.label`).textContent()).toBe('pay handoff');
    await detail.locator('input[name=label]').waitFor();
    expect(await detail.locator('input[name=label]').inputValue()).toBe('pay handoff');
    expect(await detail.locator('textarea[name=advice]').inputValue()).toBe('normal; worry when it stops');
    expect(await detail.locator('[data-testid=annotation-meta]').textContent()).toMatch(/^by /);

    // The whole domain, with the annotated pattern open beside it; new patterns join live.
    await page.goto(consoleUrl(ctx.gw.url, `#/patterns?domain=shop&id=${encodeURIComponent(target)}`));
    await page.reload();
    await detail.locator('input[name=label]').waitFor();
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(6);
    expect(new Set(await page.locator('[data-testid=pattern-list] tbody td.dim:not(.nowrap)').allTextContents()).size).toBeGreaterThan(1);
    await screenshot(page, 'patterns');

    // Annotated-only shows it and nothing unannotated.
    await page.selectOption('select[name=labelled]', 'yes');
    await expect.poll(async () => rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-id'))), { timeout: 10_000 }).toEqual([target]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows the alerts list and says what feeds it', async () => {
    const { page, problems } = await openPage(ctx.browser, consoleUrl(ctx.gw.url, '#/alerts'));
    const findings = (await ctx.gw.gql<{ exceptionFindings: unknown[] }>('{ exceptionFindings { fingerprint } }')).data!.exceptionFindings;
    await page.locator('.view.alerts .summary').waitFor();
    expect(await page.locator('.view.alerts .summary').textContent()).toContain('exception scanner findings');
    await expect.poll(() => page.locator('[data-testid=alerts] li').count(), { timeout: 10_000 }).toBe(findings.length);
    if (findings.length === 0) await page.getByText('Nothing to report').waitFor();
    expect(await page.locator('.view.alerts .error').count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });
});
