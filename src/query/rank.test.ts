import { describe, expect, it } from 'vitest';
import { createMemoryAffinityStore } from '../affinity/memory-store.js';
import { appKey, type AffinityStore } from '../affinity/store.js';
import { trainFromQuery } from '../affinity/train.js';
import type { LogEvent } from '../core/event.js';
import { createQueryEngine } from './chain.js';
import { appsOf, createAffinityRank, rankingUser } from './rank.js';
import type { QueryContext, SearchInput, SearchResult } from './request.js';
import { ev, FakeAdapter, fakeTopology, store } from './testing.js';
import type { Logstore } from '../topology/types.js';

const NOW = 1_000_000;
const FROM = 0;
const app = (name: string, domain = 'shop') => ({ domain, app: name });

/** `per` events of app i, with ts distinct across apps. */
const eventsOf = (n: string, i: number, per: number) =>
  Array.from({ length: per }, (_, k) => ev(1000 + k * 100 + i, { domain: 'shop', app: n, message: `hit ${n}#${k}` }));

/** One app-layout logstore per app, each holding `per` events. */
function world(names: string[], per = 4, adapter = new FakeAdapter()) {
  const stores = names.map((n) => store(`shop-prod-${n}`, { domain: 'shop', layout: 'app', app: n }));
  names.forEach((n, i) => adapter.add(`shop-prod-${n}`, eventsOf(n, i, per)));
  return { stores, adapter };
}

function engineFor(affinity: AffinityStore, opts: { batchSize?: number; userTop?: number; timeoutMs?: number; recency?: (k: string) => number | undefined } = {}) {
  return createQueryEngine({ now: () => NOW, rank: createAffinityRank({ store: affinity, ...opts }) });
}

const ctxFor = (stores: Logstore[], adapter: FakeAdapter, user = 'ann'): QueryContext => ({
  topology: fakeTopology(stores),
  adapters: () => adapter,
  user,
});

const input = (over: Partial<SearchInput> = {}): SearchInput => ({ from: FROM, to: NOW, keywords: 'hit', strategy: 'affinity', ...over });
const appsIn = (r: SearchResult) => [...new Set(r.edges.map((e) => e.event.app))].sort();
const okSources = (r: SearchResult) => r.sources.filter((s) => s.status === 'OK').map((s) => s.logstore).sort();
const names = (n: number) => Array.from({ length: n }, (_, i) => `app${i}`);

/** Every page of a walk, following the end cursor. */
async function walk(search: (after?: string) => Promise<SearchResult>, limit = 100): Promise<SearchResult[]> {
  const pages: SearchResult[] = [];
  let after: string | undefined;
  for (let i = 0; i < limit; i++) {
    const page = await search(after);
    pages.push(page);
    if (!page.pageInfo.hasNextPage) return pages;
    after = page.pageInfo.endCursor;
  }
  throw new Error('the walk did not end');
}

const key = (e: LogEvent) => `${e.app}|${e.ts}|${e.message}`;

describe('grouping targets by app', () => {
  it('takes the app of app and file layouts, the narrowed apps of an env layout, none for an unnarrowed env layout', () => {
    const t = (over: object) => ({ id: 'x', domain: 'shop', env: 'prod', logstore: store('x', { domain: 'shop' }), ...over });
    expect(appsOf(t({ logstore: store('a', { domain: 'shop', layout: 'app', app: 'cart' }) }))).toEqual([app('cart')]);
    expect(appsOf(t({ logstore: store('f', { domain: 'shop', layout: 'file', app: 'cart', file: 'x.log' }) }))).toEqual([app('cart')]);
    expect(appsOf(t({ apps: ['cart', 'pay'] }))).toEqual([app('cart'), app('pay')]);
    expect(appsOf(t({}))).toEqual([]);
  });

  it('puts an app’s logstores together and an unnarrowed env-layout logstore into batch 1', async () => {
    const { stores, adapter } = world(names(5));
    const fileStores = ['a.log', 'b.log'].map((f) => store(`shop-prod-app4-${f}`, { domain: 'shop', layout: 'file', app: 'app4', file: f }));
    const env = store('shop-pre', { domain: 'shop', layout: 'env', env: 'pre' });
    adapter.add('shop-pre', [ev(5000, { domain: 'shop', env: 'pre', app: 'zz', message: 'hit pre' })]);
    const affinity = createMemoryAffinityStore({ halfLifeMs: Infinity });
    for (let i = 0; i < 3; i++) await trainFromQuery(affinity, { user: 'ann', namedApps: [app('app4')], resultApps: [] });
    const r = await engineFor(affinity, { batchSize: 2, userTop: 1 }).search(ctxFor([...stores, ...fileStores, env], adapter), input());
    expect(r.batches).toEqual({ current: 1, total: 3 });
    // app4's app store and both its file stores, the env-layout store, and one app by the default order
    expect(okSources(r)).toEqual(['shop-pre', 'shop-prod-app0', 'shop-prod-app4', 'shop-prod-app4-a.log', 'shop-prod-app4-b.log']);
    const waiting = r.sources.filter((s) => s.status === 'SKIPPED');
    expect(waiting.map((s) => s.logstore).sort()).toEqual(['shop-prod-app1', 'shop-prod-app2', 'shop-prod-app3']);
    expect(waiting.find((s) => s.logstore === 'shop-prod-app3')?.reason).toBe('waits for batch 3');
  });

  it('searches an env-layout logstore narrowed to several apps with the best-ranked of them', async () => {
    const { stores, adapter } = world(names(6));
    const env = store('shop-pre', { domain: 'shop', layout: 'env', env: 'pre' });
    const affinity = createMemoryAffinityStore({ halfLifeMs: Infinity });
    await trainFromQuery(affinity, { user: 'ann', namedApps: [app('app5')], resultApps: [] });
    const q = input({ apps: ['app1', 'app2', 'app3', 'app5'] });
    const r = await engineFor(affinity, { batchSize: 1, userTop: 1 }).search(ctxFor([...stores, env], adapter), q);
    expect(r.batches).toEqual({ current: 1, total: 4 });
    expect(okSources(r)).toEqual(['shop-pre', 'shop-prod-app5']);
  });
});

describe('ranking into batches', () => {
  it("searches the user's apps first, others by the default order", async () => {
    const { stores, adapter } = world(names(9));
    const affinity = createMemoryAffinityStore({ halfLifeMs: Infinity });
    await trainFromQuery(affinity, { user: 'ann', namedApps: [app('app7')], resultApps: [] });
    await trainFromQuery(affinity, { namedApps: [], resultApps: [app('app7'), app('app3')] });
    const engine = engineFor(affinity, { batchSize: 3, userTop: 1 });
    const ann = await engine.search(ctxFor(stores, adapter, 'ann'), input());
    expect(appsIn(ann)).toEqual(['app0', 'app3', 'app7']);
    expect(ann.batches).toEqual({ current: 1, total: 3 });
    expect(ann.pageInfo.hasNextPage).toBe(true);
    // no history, or anonymous: the default order (no recency known: by name)
    for (const user of ['bob', 'anonymous']) expect(appsIn(await engine.search(ctxFor(stores, adapter, user), input()))).toEqual(['app0', 'app1', 'app2']);
  });

  it('without history prefers the apps with the freshest data: logstore maxTs, then what answers showed', async () => {
    const { stores, adapter } = world(names(6));
    stores[4] = { ...stores[4]!, maxTs: NOW - 1 };
    const engine = engineFor(createMemoryAffinityStore(), { batchSize: 2, recency: (k) => (k === 'shop/app2' ? NOW - 5 : undefined) });
    expect(appsIn(await engine.search(ctxFor(stores, adapter), input()))).toEqual(['app2', 'app4']);
  });

  it('groups a list of targets it has seen as before, and never gives its grouping to another list with the same length and ends', async () => {
    const { stores, adapter } = world(['app0', 'app1', 'app2', 'app3', 'app0b', 'app0c']);
    const first = [stores[0]!, stores[1]!, stores[2]!, stores[3]!];
    // The same first and last logstores (in plan order, by name), others between them.
    const second = [stores[0]!, stores[4]!, stores[5]!, stores[3]!];
    const affinity = createMemoryAffinityStore({ halfLifeMs: Infinity });
    await trainFromQuery(affinity, { user: 'ann', namedApps: [app('app0c')], resultApps: [] });
    const engine = engineFor(affinity, { batchSize: 2, userTop: 1 });
    for (let i = 0; i < 2; i++) {
      expect(appsIn(await engine.search(ctxFor(first, adapter), input()))).toEqual(['app0', 'app1']);
      expect(appsIn(await engine.search(ctxFor(second, adapter), input()))).toEqual(['app0', 'app0c']);
    }
  });

  it('does not read the store when every app fits in one batch', async () => {
    const { stores, adapter } = world(names(3));
    const reads: string[] = [];
    const affinity = new Proxy(createMemoryAffinityStore(), { get: (t, p: keyof AffinityStore) => (reads.push(p), t[p]) });
    const r = await engineFor(affinity, { batchSize: 3 }).search(ctxFor(stores, adapter), input());
    expect(r.batches).toEqual({ current: 1, total: 1 });
    expect(r.pageInfo.hasNextPage).toBe(false);
    expect(reads).toEqual([]);
  });

  it('falls back to the default order when the store fails, and still answers', async () => {
    const { stores, adapter } = world(names(6));
    const down = () => Promise.reject(new Error('redis is down'));
    const broken: AffinityStore = {
      incrementUserApp: down,
      incrementUserApps: down,
      incrementAppPair: down,
      incrementAppPairs: down,
      topUserApps: down,
      userAppScores: down,
      appNeighbours: down,
      appPairScores: down,
    };
    const r = await engineFor(broken, { batchSize: 2 }).search(ctxFor(stores, adapter), input());
    expect(appsIn(r)).toEqual(['app0', 'app1']);
    expect(r.batches).toEqual({ current: 1, total: 3 });
  });

  it('falls back to the default order when the store never answers', async () => {
    const { stores, adapter } = world(names(6));
    const never = () => new Promise<never>(() => {});
    const hanging = { ...createMemoryAffinityStore(), topUserApps: never, userAppScores: never, appNeighbours: never };
    const r = await engineFor(hanging, { batchSize: 2, timeoutMs: 20 }).search(ctxFor(stores, adapter), input());
    expect(appsIn(r)).toEqual(['app0', 'app1']);
  });

  it('searches everything as one batch with strategy all, and so does a ranked engine without a strategy', async () => {
    const { stores, adapter } = world(names(6));
    const engine = engineFor(createMemoryAffinityStore(), { batchSize: 2 });
    for (const strategy of ['all', undefined] as const) {
      const r = await engine.search(ctxFor(stores, adapter), input({ strategy, first: 1000 }));
      expect(r.batches).toBeUndefined();
      expect(appsIn(r)).toEqual(names(6));
      expect(r.sources.every((s) => s.status === 'OK')).toBe(true);
      const ts = r.edges.map((e) => e.event.ts);
      expect(ts).toEqual([...ts].sort((a, b) => b - a));
    }
  });

  it('refuses a cursor of the other strategy', async () => {
    const { stores, adapter } = world(names(6));
    const engine = engineFor(createMemoryAffinityStore(), { batchSize: 2 });
    const page = await engine.search(ctxFor(stores, adapter), input({ first: 2 }));
    await expect(engine.search(ctxFor(stores, adapter), input({ strategy: 'all', after: page.pageInfo.endCursor }))).rejects.toThrow(/different query/);
  });

  it('tells the named apps it resolved, for training', async () => {
    const { stores, adapter } = world(names(4));
    const r = await engineFor(createMemoryAffinityStore()).search(ctxFor(stores, adapter), input({ apps: ['app1', 'app3'] }));
    expect(r.namedApps?.map(appKey).sort()).toEqual(['shop/app1', 'shop/app3']);
  });

  it('treats the anonymous caller as no user', () => {
    expect(rankingUser('anonymous')).toBeUndefined();
    expect(rankingUser(undefined)).toBeUndefined();
    expect(rankingUser('ann')).toBe('ann');
  });
});

describe('paging through batches', () => {
  it('covers every event once over all pages, batch by batch, as strategy all does', async () => {
    const { stores, adapter } = world(names(8), 7);
    const affinity = createMemoryAffinityStore({ halfLifeMs: Infinity });
    await trainFromQuery(affinity, { user: 'ann', namedApps: [app('app6'), app('app2')], resultApps: [] });
    const engine = engineFor(affinity, { batchSize: 3, userTop: 1 });
    const ctx = ctxFor(stores, adapter);
    const all = await walk((after) => engine.search(ctx, input({ strategy: 'all', first: 5, after })));
    const pages = await walk((after) => engine.search(ctx, input({ first: 5, after })));

    const seen = pages.flatMap((p) => p.edges.map((e) => key(e.event)));
    expect(seen.sort()).toEqual(all.flatMap((p) => p.edges.map((e) => key(e.event))).sort());
    expect(new Set(seen).size).toBe(8 * 7);
    // batches in order, each page time-ordered, each batch's apps only on its pages
    expect(pages.map((p) => p.batches!.current)).toEqual([...pages.map((p) => p.batches!.current)].sort());
    expect(pages.at(-1)!.batches).toMatchObject({ current: 3, total: 3 });
    const appsOfBatch = new Map<number, Set<string>>();
    for (const p of pages) {
      const ts = p.edges.map((e) => e.event.ts);
      expect(ts).toEqual([...ts].sort((a, b) => b - a));
      const set = appsOfBatch.get(p.batches!.current) ?? new Set();
      p.edges.forEach((e) => set.add(e.event.app));
      appsOfBatch.set(p.batches!.current, set);
    }
    expect([...appsOfBatch.get(1)!].sort()).toEqual(['app0', 'app2', 'app6']);
    expect([...appsOfBatch.values()].reduce((n, s) => n + s.size, 0)).toBe(8);
  });

  it('keeps a batch as it was opened when the ranking changes between pages', async () => {
    const { stores, adapter } = world(names(9), 6);
    const affinity = createMemoryAffinityStore({ halfLifeMs: Infinity });
    const engine = engineFor(affinity, { batchSize: 3, userTop: 3 });
    const ctx = ctxFor(stores, adapter);
    const seen: string[] = [];
    let after: string | undefined;
    for (let i = 0; ; i++) {
      const page = await engine.search(ctx, input({ first: 4, after }));
      seen.push(...page.edges.map((e) => key(e.event)));
      // Each page teaches the ranking something new: batch 1's apps would now come last.
      await trainFromQuery(affinity, { user: 'ann', namedApps: [app(`app${8 - (i % 9)}`)], resultApps: [] });
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen.length).toBe(9 * 6);
    expect(new Set(seen).size).toBe(9 * 6);
  });

  it('continues from any edge cursor across a batch boundary', async () => {
    const { stores, adapter } = world(names(6), 3);
    const engine = engineFor(createMemoryAffinityStore(), { batchSize: 2 });
    const ctx = ctxFor(stores, adapter);
    const first = await engine.search(ctx, input({ first: 100 }));
    expect(first.edges).toHaveLength(6);
    // the last edge's cursor opens batch 2; an earlier one goes on within batch 1
    const fromLast = await engine.search(ctx, input({ first: 100, after: first.edges[5]!.cursor }));
    expect(fromLast.batches?.current).toBe(2);
    expect(appsIn(fromLast)).toEqual(['app2', 'app3']);
    const fromThird = await engine.search(ctx, input({ first: 100, after: first.edges[2]!.cursor }));
    expect(fromThird.batches?.current).toBe(1);
    expect(fromThird.edges.map((e) => key(e.event))).toEqual(first.edges.slice(3).map((e) => key(e.event)));
  });

  it('moves on when a batch holds nothing, and says batches remain', async () => {
    const { stores, adapter } = world(names(4), 2);
    const engine = engineFor(createMemoryAffinityStore(), { batchSize: 2 });
    const ctx = ctxFor(stores, adapter);
    const q = input({ keywords: 'app3#' });
    const first = await engine.search(ctx, q);
    expect(first.edges).toEqual([]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await engine.search(ctx, { ...q, after: first.pageInfo.endCursor });
    expect(second.batches).toEqual({ current: 2, total: 2, outcome: 'miss' });
    expect(appsIn(second)).toEqual(['app3']);
    expect(second.pageInfo.hasNextPage).toBe(false);
  });

  it('asks a logstore that failed in an earlier batch again with the next batch: late rather than lost', async () => {
    let failOnce = true;
    const flaky = new FakeAdapter({
      fail: (req) => {
        if (req.target.logstore.id !== 'shop-prod-app0' || !failOnce) return undefined;
        failOnce = false;
        return new Error('backend hiccup');
      },
    });
    const { stores } = world(names(4), 2, flaky);
    const engine = createQueryEngine({ now: () => NOW, limits: { retries: 0 }, rank: createAffinityRank({ store: createMemoryAffinityStore(), batchSize: 2 }) });
    const ctx = ctxFor(stores, flaky);
    const pages = await walk((after) => engine.search(ctx, input({ first: 100, after })));
    expect(pages[0]!.sources.find((s) => s.logstore === 'shop-prod-app0')?.status).toBe('ERROR');
    const seen = pages.flatMap((p) => p.edges.map((e) => key(e.event)));
    expect(seen.length).toBe(8);
    expect(new Set(seen).size).toBe(8);
  });
});

describe('the batch-1 outcome', () => {
  const outcomes = (pages: SearchResult[]) => pages.map((p) => p.batches?.outcome ?? '-');

  it('is a hit when batch 1 fills the page', async () => {
    const { stores, adapter } = world(names(4), 5);
    const engine = engineFor(createMemoryAffinityStore(), { batchSize: 2 });
    const pages = await walk((after) => engine.search(ctxFor(stores, adapter), input({ first: 3, after })));
    expect(outcomes(pages)[0]).toBe('hit');
    expect(outcomes(pages).filter((o) => o !== '-')).toEqual(['hit']);
  });

  it('is a miss when a later batch finds rows, settled once', async () => {
    const { stores, adapter } = world(names(6), 2);
    const engine = engineFor(createMemoryAffinityStore(), { batchSize: 2 });
    const pages = await walk((after) => engine.search(ctxFor(stores, adapter), input({ first: 100, after })));
    expect(outcomes(pages)).toEqual(['-', 'miss', '-']);
  });

  it('is a hit when the walk ends with nothing found after batch 1', async () => {
    const { stores, adapter } = world(names(6), 2);
    const engine = engineFor(createMemoryAffinityStore(), { batchSize: 2 });
    const pages = await walk((after) => engine.search(ctxFor(stores, adapter), input({ keywords: 'app1#', after })));
    expect(outcomes(pages)).toEqual(['-', '-', 'hit']);
  });

  it('is not judged when every app fits in one batch', async () => {
    const { stores, adapter } = world(names(2), 5);
    const engine = engineFor(createMemoryAffinityStore(), { batchSize: 2 });
    const pages = await walk((after) => engine.search(ctxFor(stores, adapter), input({ first: 3, after })));
    expect(outcomes(pages).every((o) => o === '-')).toBe(true);
  });
});
