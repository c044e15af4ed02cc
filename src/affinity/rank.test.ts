import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMemoryAffinityStore } from './memory-store.js';
import { affinityMetrics } from './metrics.js';
import { rankApps, defaultAppOrder } from './rank.js';
import { appKey, type AffinityStore, type AppRef } from './store.js';
import { trainFromQuery } from './train.js';

const app = (name: string, domain = 'shop'): AppRef => ({ domain, app: name });
const apps = (...names: string[]) => names.map((n) => app(n));
const fresh = () => createMemoryAffinityStore({ halfLifeMs: Infinity });
const shape = (batches: AppRef[][]) => batches.map((b) => b.map((a) => (a.domain === 'shop' ? a.app : appKey(a))));
/** The store, recording the name of each method ranking reaches for. */
function counted(store: AffinityStore) {
  const calls: string[] = [];
  const counting = new Proxy(store, {
    get: (target, prop: keyof AffinityStore) => {
      calls.push(prop);
      return target[prop];
    },
  });
  return { calls, counting };
}
const fallbacks = async (reason: string) => (await affinityMetrics.fallbacks().get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;

describe('rankApps', () => {
  it("narrows 500 apps to the user's few (the seed's example: Application1, 11, 12, and 1's neighbours 2 and 3)", async () => {
    const store = fresh();
    const name = (i: number) => `app${String(i).padStart(3, '0')}`;
    const query = (user: string, named: number[], found: number[] = []) =>
      trainFromQuery(store, { user, namedApps: named.map((i) => app(name(i))), resultApps: found.map((i) => app(name(i))) });
    for (let i = 0; i < 3; i++) await query('a', [1]);
    for (let i = 0; i < 2; i++) await query('a', [11]);
    await query('a', [12]);
    for (let i = 0; i < 2; i++) await query('b', [], [1, 2, 1]);
    await query('b', [], [3, 1]);
    const candidates = Array.from({ length: 500 }, (_, i) => app(name(499 - i)));

    const { batches, usedAffinity } = await rankApps({ user: 'a', candidates, store, batchSize: 5, userTop: 3 });
    expect(usedAffinity).toBe(true);
    expect(shape(batches)[0]).toStrictEqual(['app001', 'app011', 'app012', 'app002', 'app003']);
    expect(shape(batches)[1]).toStrictEqual(['app000', 'app004', 'app005', 'app006', 'app007']);
    expect(batches).toHaveLength(100);
  });

  it("fills by Σ share_user(a) × share_app(a, b), each app's share out of all its neighbours", async () => {
    const store = fresh();
    await store.incrementUserApp('ann', app('a'), 30);
    await store.incrementUserApp('ann', app('b'), 10);
    await store.incrementAppPair(app('a'), app('x'), 3);
    await store.incrementAppPair(app('a'), app('y'), 1);
    await store.incrementAppPair(app('a'), app('z'), 4); // z is no candidate, yet counts in a's total
    await store.incrementAppPair(app('b'), app('y'), 2);
    // share_user: a .75, b .25; x = .75 × 3/8 = .28125, y = .75 × 1/8 + .25 × 2/2 = .34375
    const { batches } = await rankApps({ user: 'ann', candidates: apps('x', 'y', 'b', 'a', 'w'), store, batchSize: 3, userTop: 2 });
    expect(shape(batches)).toStrictEqual([['a', 'b', 'y'], ['x', 'w']]);
  });

  it("after batch 1 puts coupled apps by score, then the user's other apps, then the default order", async () => {
    const store = fresh();
    await store.incrementUserApps('ann', [app('a')], 30);
    await store.incrementUserApps('ann', [app('b')], 10);
    await store.incrementUserApps('ann', [app('c')], 3);
    await store.incrementUserApps('ann', [app('d')], 2);
    await store.incrementAppPair(app('a'), app('x'), 3);
    await store.incrementAppPair(app('a'), app('d'), 1);
    await store.incrementAppPair(app('b'), app('y'), 1);
    const candidates = apps('n2', 'n1', 'y', 'x', 'd', 'c', 'b', 'a');
    const recency = new Map([['shop/n2', 5]]);
    const { batches } = await rankApps({ user: 'ann', candidates, store, batchSize: 3, userTop: 2, recency });
    // fill: x .75 × .75, y .25 × 1, d .75 × .25 (a user app beyond the top 2, coupled to a)
    expect(shape(batches)).toStrictEqual([
      ['a', 'b', 'x'],
      ['y', 'd', 'c'],
      ['n2', 'n1'],
    ]);
  });

  it('breaks ties by the freshest data, then by domain and app name', async () => {
    const store = fresh();
    await store.incrementUserApps('ann', apps('a', 'b', 'c', 'd'), 5);
    await store.incrementAppPairs([app('a'), app('p'), app('q'), app('r', 'ads')], 1);
    const recency = new Map([
      ['shop/b', 100],
      ['shop/c', 100],
      ['shop/a', 50],
      ['shop/q', 7],
    ]);
    const candidates = [...apps('r', 'q', 'p', 'd', 'c', 'b', 'a'), app('r', 'ads')];
    const { batches } = await rankApps({ user: 'ann', candidates, store, batchSize: 4, userTop: 3, recency });
    // chosen: b, c (fresh) then a; only a has neighbours: p, q, ads/r equal — q is fresher, then ads/r < shop/p
    expect(shape(batches)).toStrictEqual([
      ['b', 'c', 'a', 'q'],
      ['ads/r', 'p', 'd', 'r'],
    ]);
  });

  it('treats fill scores equal in exact arithmetic as equal in floating point', async () => {
    const store = fresh();
    await store.incrementUserApps('ann', apps('a1', 'a2'), 5);
    await store.incrementAppPair(app('a1'), app('b'), 2);
    await store.incrementAppPair(app('a1'), app('c'), 7);
    await store.incrementAppPair(app('a1'), app('z'), 1);
    await store.incrementAppPair(app('a2'), app('b'), 5);
    await store.incrementAppPair(app('a2'), app('z'), 5);
    // b = .5 × .2 + .5 × .5 and c = .5 × .7: both .35, so the name decides.
    const { batches } = await rankApps({ user: 'ann', candidates: apps('c', 'b', 'a2', 'a1'), store });
    expect(shape(batches)).toStrictEqual([['a1', 'a2', 'b', 'c']]);
  });

  it('without history, orders by the freshest data, then domain and app name', async () => {
    const store = fresh();
    await store.incrementUserApp('ann', app('elsewhere'), 5);
    const candidates = [app('x', 'a-b'), app('y', 'a'), app('b', 'a'), app('z', 'b'), app('w', 'c')];
    const recency = new Map([
      ['c/w', 20],
      ['b/z', 20],
    ]);
    const before = await fallbacks('no_history');
    const ranked = await rankApps({ user: 'ann', candidates, store, batchSize: 2, recency });
    expect(ranked.usedAffinity).toBe(false);
    expect(shape(ranked.batches)).toStrictEqual([
      ['b/z', 'c/w'],
      ['a/b', 'a/y'],
      ['a-b/x'],
    ]);
    expect(await fallbacks('no_history')).toBe(before + 1);
    expect(shape([defaultAppOrder(candidates, recency)])).toStrictEqual([['b/z', 'c/w', 'a/b', 'a/y', 'a-b/x']]);
    expect((await rankApps({ candidates, store, batchSize: 2, recency })).batches).toStrictEqual(ranked.batches);
  });

  it('keeps the name order of a list it has seen, and never gives it to another list with the same length and ends', () => {
    const sorted = (list: AppRef[]) => [...list].map(appKey).sort((x, y) => (x.replace('/', '\u0000') < y.replace('/', '\u0000') ? -1 : 1));
    const first = [app('m'), app('c'), app('q'), app('a'), app('z')];
    expect(defaultAppOrder(first).map(appKey)).toStrictEqual(sorted(first));
    // Same length, same first and last apps, other apps between them, then the same objects again.
    const second = [first[0]!, app('b'), app('y'), app('d'), first[4]!];
    expect(defaultAppOrder(second).map(appKey)).toStrictEqual(sorted(second));
    expect(defaultAppOrder(first).map(appKey)).toStrictEqual(sorted(first));
    // Equal apps in new objects are the same list.
    expect(defaultAppOrder(first.map((a) => ({ ...a }))).map(appKey)).toStrictEqual(sorted(first));
    // A seen list under recency: freshness first, the kept name order breaks its ties.
    expect(defaultAppOrder(second, new Map([['shop/y', 5], ['shop/m', 5], ['shop/d', 1]])).map(appKey)).toStrictEqual(['shop/m', 'shop/y', 'shop/d', 'shop/b', 'shop/z']);
  });

  it('ranks a frozen candidate list, kept between calls, as it ranks the same list unfrozen, duplicates included', async () => {
    const store = fresh();
    await trainFromQuery(store, { user: 'ann', namedApps: [app('q'), app('c')], resultApps: [] });
    await trainFromQuery(store, { user: 'ann', namedApps: [], resultApps: [app('q'), app('m')] });
    const list = [app('m'), app('c'), app('q'), app('a'), app('c', 'pay'), app('z'), app('q')];
    const frozen = Object.freeze([...list]);
    const plain = await rankApps({ user: 'ann', candidates: list, store, batchSize: 2, userTop: 1 });
    expect(shape(plain.batches)).toStrictEqual([['q', 'm'], ['c', 'pay/c'], ['a', 'z']]);
    for (let i = 0; i < 2; i++) {
      expect(await rankApps({ user: 'ann', candidates: frozen, store, batchSize: 2, userTop: 1 })).toStrictEqual(plain);
      expect(shape([defaultAppOrder(frozen)])).toStrictEqual([['pay/c', 'a', 'c', 'm', 'q', 'z']]);
      expect(shape([defaultAppOrder(frozen, new Map([['shop/z', 9]]))])).toStrictEqual([['z', 'pay/c', 'a', 'c', 'm', 'q']]);
    }
  });

  it('orders any list by name as a plain sort does, however many lists came before', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 50 }), (lists) => {
        for (const names of lists) {
          const list = [...new Set(names)].map((n) => app(n));
          expect(defaultAppOrder(list).map((a) => a.app)).toStrictEqual(list.map((a) => a.app).sort());
        }
      }),
      { seed: 4242, numRuns: 200 },
    );
  });

  it('falls back to the default order, and counts it, when the store fails', async () => {
    const store = fresh();
    await store.incrementUserApp('ann', app('b'), 5);
    const failing: AffinityStore = { ...store, appNeighbours: () => Promise.reject(new Error('down')) };
    const before = await fallbacks('store_error');
    const ranked = await rankApps({ user: 'ann', candidates: apps('b', 'a'), store: failing });
    expect(ranked).toStrictEqual({ batches: [apps('a', 'b')], usedAffinity: false });
    expect(await fallbacks('store_error')).toBe(before + 1);
  });

  it('reads the store in two calls whatever the number of candidates, and ranks each app once', async () => {
    const store = fresh();
    await store.incrementUserApps('ann', apps('a5', 'a9'), 1);
    await store.incrementAppPairs(apps('a5', 'a7', 'a8'), 1);
    const { calls, counting } = counted(store);
    const candidates = Array.from({ length: 1000 }, (_, i) => app(`a${i}`));
    const { batches } = await rankApps({ user: 'ann', candidates: [...candidates, app('a5')], store: counting });
    expect(calls).toStrictEqual(['topUserApps', 'appNeighbours']);
    expect(batches.flat()).toHaveLength(1000);
    expect(new Set(batches.flat().map(appKey)).size).toBe(1000);
    expect(shape(batches)[0].slice(0, 4)).toStrictEqual(['a5', 'a9', 'a7', 'a8']);
  });

  it("looks every candidate up when the user's strongest apps read are too few of them", async () => {
    const store = fresh();
    await store.incrementUserApps('ann', apps('h1', 'h2', 'h3'), 9);
    await store.incrementUserApps('ann', apps('c1', 'c2'), 1);
    const { calls, counting } = counted(store);
    const candidates = apps('x', 'c2', 'h1', 'c1');
    const { batches } = await rankApps({ user: 'ann', candidates, store: counting, batchSize: 2, userTop: 2, userScan: 3 });
    expect(calls).toStrictEqual(['topUserApps', 'userAppScores', 'appNeighbours']);
    expect(shape(batches)).toStrictEqual([['h1', 'c1'], ['c2', 'x']]);
    calls.length = 0;
    await rankApps({ user: 'ann', candidates, store: counting, batchSize: 2, userTop: 2, userScan: 6 });
    expect(calls).toStrictEqual(['topUserApps', 'appNeighbours']);
  });

  it('holds its invariants for any scores: a partition into full batches, the top user apps first', async () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom(...names), fc.integer({ min: 1, max: 9 })), { maxLength: 12 }),
        fc.array(fc.tuple(fc.constantFrom(...names), fc.constantFrom(...names), fc.integer({ min: 1, max: 9 })), { maxLength: 12 }),
        fc.subarray(names, { minLength: 1 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 5 }),
        async (userScores, pairs, candidateNames, batchSize, userTop) => {
          const store = fresh();
          for (const [n, by] of userScores) await store.incrementUserApp('ann', app(n), by);
          for (const [x, y, by] of pairs) await store.incrementAppPair(app(x), app(y), by);
          const candidates = apps(...candidateNames);
          const { batches } = await rankApps({ user: 'ann', candidates, store, batchSize, userTop });
          const flat = batches.flat().map((a) => a.app);
          expect([...flat].sort()).toStrictEqual([...candidateNames].sort());
          batches.slice(0, -1).forEach((b) => expect(b).toHaveLength(batchSize));
          const scores = await store.userAppScores('ann', candidates);
          const scored = candidateNames.filter((_, i) => scores[i] > 0);
          const top = Math.min(userTop, batchSize, scored.length);
          const leading = flat.slice(0, top).map((n) => scores[candidateNames.indexOf(n)]);
          const bestRest = Math.max(0, ...flat.slice(top).map((n) => scores[candidateNames.indexOf(n)]));
          expect(Math.min(...leading, Infinity)).toBeGreaterThanOrEqual(bestRest);
        },
      ),
    );
  });

  it('returns no batches for no candidates, and refuses bad options, naming them', async () => {
    expect(await rankApps({ user: 'ann', candidates: [], store: fresh() })).toStrictEqual({ batches: [], usedAffinity: false });
    await expect(rankApps({ user: 'ann', candidates: [], store: fresh(), batchSize: 0 })).rejects.toThrow(/rankApps\.batchSize: expected an integer >= 1, got 0/);
    await expect(rankApps({ candidates: [], store: fresh(), top: 3 } as never)).rejects.toThrow(/rankApps\.top: unknown option/);
  });
});
