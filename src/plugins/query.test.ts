import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../core/event.js';
import { createQueryEngine } from '../query/chain.js';
import type { QueryContext, SearchInput, SearchResult } from '../query/request.js';
import { ev, FakeAdapter, fakeTopology, NO_PUSHDOWN, store } from '../query/testing.js';
import { definePlugin, type PlanTarget, type PluginDefinition } from './define.js';
import { planStep, resultsStep } from './query.js';

const NOW = 50_000_000;
const FROM = NOW - 3600_000;
const stores = [
  store('shop-cart', { domain: 'shop', layout: 'app', app: 'cart' }),
  store('shop-order', { domain: 'shop', layout: 'app', app: 'order' }),
  store('pay-gw', { domain: 'pay', layout: 'app', app: 'gw' }),
];
const events: Record<string, LogEvent[]> = Object.fromEntries(
  stores.map((s, i) => [s.id, Array.from({ length: 12 }, (_, k) => ev(FROM + 1000 + (k * stores.length + i) * 1000, { domain: s.domain, app: s.app!, message: `${s.id} #${k}` }))]),
);

function engineWith(...defs: PluginDefinition[]) {
  const plugins = defs.map(definePlugin);
  const adapter = new FakeAdapter({ capabilities: NO_PUSHDOWN });
  for (const [id, list] of Object.entries(events)) adapter.add(id, list);
  const engine = createQueryEngine({ now: () => NOW, steps: { afterPlan: [planStep(plugins)], beforeMerge: [resultsStep(plugins)] } });
  const ctx: QueryContext = { topology: fakeTopology(stores), adapters: () => adapter, user: 'ann' };
  return { search: (input: SearchInput) => engine.search(ctx, { from: FROM, to: NOW, first: 100, ...input }), adapter };
}

const byStatus = (r: SearchResult) => Object.fromEntries(r.sources.map((s) => [s.logstore, s.status]));
const messages = (r: SearchResult) => r.edges.map((e) => e.event.message);

async function walk(search: (i: SearchInput) => Promise<SearchResult>, first: number): Promise<string[]> {
  const out: string[] = [];
  let after: string | undefined;
  for (let i = 0; i < 100; i++) {
    const page = await search({ first, after });
    out.push(...messages(page));
    if (!page.pageInfo.hasNextPage) return out;
    after = page.pageInfo.endCursor;
  }
  throw new Error('did not end');
}

describe('hooks of domains a query does not reach', () => {
  it.each(['plan', 'results'] as const)('%s is not called', async (hook) => {
    let calls = 0;
    const count = <T>(_c: unknown, x: T) => (calls++, x);
    const { search } = engineWith({ name: 'orders', domains: ['shop'], hooks: { [hook]: count } });
    await search({ domains: ['pay'] });
    expect(calls).toBe(0);
  });
});

describe('results hooks', () => {
  it('see only their own domains, once per page, and may annotate', async () => {
    const seen: string[][] = [];
    const { search } = engineWith({
      name: 'orders',
      domains: ['shop'],
      hooks: {
        results: (ctx, list) => {
          expect(ctx).toMatchObject({ plugin: 'orders', user: 'ann' });
          seen.push(list.map((e) => e.domain));
          return list.map((e) => ({ ...e, fields: { seenBy: 'orders' } }));
        },
      },
    });
    const page = await search({});
    expect(seen).toHaveLength(1);
    expect(new Set(seen[0])).toEqual(new Set(['shop']));
    expect(page.edges).toHaveLength(36);
    for (const { event } of page.edges) expect(event.fields).toEqual(event.domain === 'shop' ? { seenBy: 'orders' } : undefined);
  });

  it('may filter, and paging through cursors then skips exactly what they drop', async () => {
    const odd = (e: LogEvent) => Number(e.message.split('#')[1]) % 2 === 1;
    const { search } = engineWith({ name: 'orders', domains: ['shop'], hooks: { results: (_c, list) => list.filter((e) => !odd(e)) } });
    const expected = Object.values(events)
      .flat()
      .filter((e) => e.domain !== 'shop' || !odd(e))
      .sort((a, b) => b.ts - a.ts)
      .map((e) => e.message);
    expect(await walk(search, 5)).toEqual(expected);
  });

  it('fail closed for their domains only: sources ERROR naming the plugin, other domains answer', async () => {
    const { search } = engineWith({
      name: 'failing',
      domains: ['shop'],
      hooks: {
        results: () => {
          throw new Error('annotation service down');
        },
      },
    });
    const page = await search({});
    expect(byStatus(page)).toEqual({ 'pay-gw': 'OK', 'shop-cart': 'ERROR', 'shop-order': 'ERROR' });
    expect(page.sources.find((s) => s.logstore === 'shop-cart')!.error).toBe('plugin "failing": results hook failed: annotation service down');
    expect(new Set(page.edges.map((e) => e.event.domain))).toEqual(new Set(['pay']));
    expect(page.edges).toHaveLength(12);
  });

  it('count an event that is not one they were given as a failure', async () => {
    const { search } = engineWith({
      name: 'forger',
      domains: ['shop'],
      hooks: { results: () => [ev(FROM + 5, { domain: 'shop', message: 'made up' })] },
    });
    const page = await search({});
    expect(messages(page)).not.toContain('made up');
    expect(page.sources.find((s) => s.logstore === 'shop-cart')!.error).toMatch(/plugin "forger": results hook failed: it returned an event that is not one of those/);
  });
});

describe('plan hooks', () => {
  it('see only the targets of their domains and may drop some', async () => {
    const seen: string[] = [];
    const { search, adapter } = engineWith({
      name: 'orders',
      domains: ['shop'],
      hooks: {
        plan: (_c, targets) => {
          seen.push(...targets.map((t) => t.target.id));
          return targets.filter((t) => t.target.id !== 'shop-order');
        },
      },
    });
    const page = await search({});
    expect(seen.sort()).toEqual(['shop-cart', 'shop-order']);
    expect(page.sources.map((s) => s.logstore)).toEqual(['pay-gw', 'shop-cart']);
    expect(adapter.calls.map((c) => c.target.id)).not.toContain('shop-order');
  });

  it('may add a target of their own domain, and refuse one of another', async () => {
    const extra = (domain: string): PlanTarget => ({ target: { id: `${domain}-archive`, domain, env: 'prod', logstore: store(`${domain}-archive`, { domain }) } });
    const adds = engineWith({ name: 'orders', domains: ['shop'], hooks: { plan: (_c, t) => [...t, extra('shop')] } });
    expect((await adds.search({})).sources.map((s) => s.logstore)).toEqual(['pay-gw', 'shop-archive', 'shop-cart', 'shop-order']);

    const strays = engineWith({ name: 'orders', domains: ['shop'], hooks: { plan: (_c, t) => [...t, extra('pay')] } });
    const page = await strays.search({});
    expect(byStatus(page)).toEqual({ 'pay-gw': 'OK', 'shop-cart': 'ERROR', 'shop-order': 'ERROR' });
    expect(page.sources.find((s) => s.logstore === 'shop-cart')!.error).toMatch(/plugin "orders": plan hook failed: target pay-archive is in domain pay/);
  });

  it('that throw leave the other domains answering, and the cursor asks their sources again', async () => {
    let fail = true;
    const { search } = engineWith({
      name: 'flaky',
      domains: ['shop'],
      hooks: {
        plan: (_c, t) => {
          if (fail) throw new Error('not now');
          return t;
        },
      },
    });
    const first = await search({ first: 5 });
    expect(byStatus(first)).toEqual({ 'pay-gw': 'OK', 'shop-cart': 'ERROR', 'shop-order': 'ERROR' });
    fail = false;
    const next = await search({ first: 100, after: first.pageInfo.endCursor });
    expect(new Set(next.edges.map((e) => e.event.domain))).toEqual(new Set(['shop', 'pay']));
  });
});

describe('layouts', () => {
  it('replace the built-in rule for their domains, given only those logstores', async () => {
    const given: string[][] = [];
    const { search } = engineWith({
      name: 'shop-layout',
      domains: ['shop'],
      layout: (input) => {
        given.push(input.stores.map((s) => s.id));
        // Everything of the shop is read from the cart store, filtered to the apps asked for.
        const cart = input.stores.find((s) => s.id === 'shop-cart')!;
        return [{ target: { id: 'shop-cart', domain: input.domain, env: input.env, logstore: cart, ...(input.apps ? { apps: [...input.apps] } : {}) } }];
      },
    });
    const page = await search({});
    expect(given).toEqual([['shop-cart', 'shop-order']]);
    expect(page.sources.map((s) => s.logstore)).toEqual(['pay-gw', 'shop-cart']);
  });

  it('that plan on a logstore they were not given fail for their domain alone', async () => {
    const { search } = engineWith({
      name: 'shop-layout',
      domains: ['shop'],
      layout: (input) => [{ target: { id: 'pay-gw', domain: input.domain, env: input.env, logstore: { ...stores[2]!, domain: 'shop' } } }],
    });
    const page = await search({});
    expect(byStatus(page)).toEqual({ 'pay-gw': 'OK', 'shop-cart': 'ERROR', 'shop-order': 'ERROR' });
    expect(page.sources.find((s) => s.logstore === 'shop-order')!.error).toMatch(/plugin "shop-layout": layout failed: target pay-gw is not on one of the shop\/prod logstores/);
  });
});
