import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.js';
import type { QueryContext, SearchInput, SearchResult } from '../query/request.js';
import { ev } from '../query/testing.js';
import { AppRecency, createAffinity, createAffinityStore } from './hooks.js';
import { createMemoryAffinityStore } from './memory-store.js';
import { affinityMetrics } from './metrics.js';
import type { AffinityStore } from './store.js';

const ctx = (user?: string) => ({ topology: {}, adapters: () => undefined, user }) as unknown as QueryContext;
const result = (apps: string[], over: Partial<SearchResult> = {}): SearchResult => ({
  edges: apps.map((app, i) => ({ cursor: '', event: ev(100 + i, { domain: 'shop', app }) })),
  pageInfo: { hasNextPage: false },
  sources: [],
  ...over,
});
const shop = (app: string) => ({ domain: 'shop', app });

const scores = (user: string, apps: string[], store: AffinityStore) => store.userAppScores(user, apps.map(shop));

describe('training after an answer', () => {
  it('adds 5 to each named app the plan resolved, on the first page only', async () => {
    const store = createMemoryAffinityStore({ halfLifeMs: Infinity });
    const { onAnswered } = createAffinity({ store });
    const input: SearchInput = { apps: ['cart'] };
    await onAnswered(ctx('ann'), input, result(['cart', 'cart'], { namedApps: [shop('cart')] }));
    await onAnswered(ctx('ann'), { ...input, after: 'x' }, result(['cart'], { namedApps: [shop('cart')] }));
    expect(await scores('ann', ['cart'], store)).toEqual([5]);
  });

  it('adds 1 to each app a keyword query found, and 1 to each pair of them', async () => {
    const store = createMemoryAffinityStore({ halfLifeMs: Infinity });
    const { onAnswered } = createAffinity({ store });
    await onAnswered(ctx('ann'), { keywords: 'ORD-1' }, result(['cart', 'pay', 'cart']));
    expect(await scores('ann', ['cart', 'pay', 'user'], store)).toEqual([1, 1, 0]);
    expect(await store.appPairScores(shop('cart'), [shop('pay')])).toEqual([1]);
  });

  it('trains trace and regex searches like keyword ones, and nothing for a search without a content filter', async () => {
    const store = createMemoryAffinityStore({ halfLifeMs: Infinity });
    const { onAnswered } = createAffinity({ store });
    await onAnswered(ctx('ann'), { domains: ['shop'], levels: ['ERROR'] }, result(['cart', 'pay']));
    expect(await scores('ann', ['cart', 'pay'], store)).toEqual([0, 0]);
    await onAnswered(ctx('ann'), { traceId: 't-1' }, result(['cart', 'pay']));
    await onAnswered(ctx('ann'), { regex: 'a+' }, result(['cart']));
    expect(await scores('ann', ['cart', 'pay'], store)).toEqual([2, 1]);
  });

  it('trains only the app↔app network for an anonymous caller', async () => {
    const store = createMemoryAffinityStore({ halfLifeMs: Infinity });
    const { onAnswered } = createAffinity({ store });
    await onAnswered(ctx('anonymous'), { keywords: 'x' }, result(['cart', 'pay']));
    expect(await store.topUserApps('anonymous', 5)).toEqual([]);
    expect(await store.appPairScores(shop('cart'), [shop('pay')])).toEqual([1]);
  });

  it('records the batch-1 outcome a page settled, and notes the freshest data per app', async () => {
    const { onAnswered, recency } = createAffinity({ store: createMemoryAffinityStore() });
    const count = async () => ({
      hits: (await affinityMetrics.batch1Hits().get()).values[0]?.value ?? 0,
      ranked: (await affinityMetrics.rankedQueries().get()).values[0]?.value ?? 0,
    });
    const before = await count();
    await onAnswered(ctx('ann'), { keywords: 'x' }, result(['cart'], { batches: { current: 1, total: 3, outcome: 'hit' } }));
    await onAnswered(ctx('ann'), { keywords: 'x' }, result(['pay'], { batches: { current: 2, total: 3, outcome: 'miss' } }));
    await onAnswered(ctx('ann'), { keywords: 'x' }, result(['pay'], { batches: { current: 3, total: 3 } }));
    expect(await count()).toEqual({ hits: before.hits + 1, ranked: before.ranked + 2 });
    expect(recency.get('shop/cart')).toBe(100);
  });
});

describe('AppRecency', () => {
  it('keeps the newest time per app and forgets the longest unseen past its limit', () => {
    const r = new AppRecency(2);
    r.see('a', 5);
    r.see('a', 3);
    r.see('b', 1);
    r.see('c', 2);
    expect([r.get('a'), r.get('b'), r.get('c')]).toEqual([undefined, 1, 2]);
    r.see('b', 9);
    r.see('d', 1);
    expect([r.get('b'), r.get('c'), r.get('d')]).toEqual([9, undefined, 1]);
  });
});

describe('createAffinityStore', () => {
  it('keeps scores in memory without Redis, with the configured half-life', async () => {
    const store = createAffinityStore({ halfLifeDays: 30, keyPrefix: 'x:' });
    await store.incrementUserApp('ann', shop('cart'), 2);
    const [score] = await store.userAppScores('ann', [shop('cart')]);
    expect(score).toBeGreaterThan(1.99);
    expect(score).toBeLessThanOrEqual(2);
  });
});

describe('the affinity config section', () => {
  it('defaults to batches of 30 apps, 15 by user, a 30-day half-life', () => {
    expect(parseConfig({}).affinity).toEqual({ enabled: true, batchSize: 30, userTop: 15, halfLifeDays: 30, keyPrefix: 'logfed:affinity:' });
  });

  it('refuses userTop above batchSize and unknown keys, naming the field', () => {
    expect(() => parseConfig({ affinity: { batchSize: 10, userTop: 15 } })).toThrow(/affinity\.userTop/);
    expect(() => parseConfig({ affinity: { batchsize: 10 } })).toThrow(/batchsize/);
  });
});
