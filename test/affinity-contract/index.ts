// The contract every AffinityStore keeps, run by each implementation from a short test file
// (memory: src/affinity/memory-store.test.ts, Redis: test/integration/affinity-redis.test.ts).
// Each test gets fresh, empty state; `open` called twice in one test gives two stores on the
// same state, as two gateway replicas on one Redis are.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogfedError } from '../../src/errors/index.js';
import { rankApps } from '../../src/affinity/rank.js';
import type { AffinityStore, AppRef, ScoredApp } from '../../src/affinity/store.js';
import { trainFromQuery } from '../../src/affinity/train.js';

export interface AffinityStoreFixture {
  open(options: { now: () => number; halfLifeMs?: number }): AffinityStore;
  cleanup(): Promise<void>;
}
export type CreateAffinityStore = () => Promise<AffinityStoreFixture>;

const app = (name: string, domain = 'shop'): AppRef => ({ domain, app: name });
const names = (scored: ScoredApp[]) => scored.map((s) => `${s.app.domain}/${s.app.app}:${+s.score.toFixed(9)}`);
const T0 = 1_700_000_000_000;
const HALF = 1000;

export function defineAffinityStoreContract(name: string, create: CreateAffinityStore): void {
  describe(`AffinityStore contract: ${name}`, () => {
    let fixture: AffinityStoreFixture;
    let clock: number;
    let store: AffinityStore;
    const now = () => clock;

    beforeEach(async () => {
      clock = T0;
      fixture = await create();
      store = fixture.open({ now, halfLifeMs: Infinity });
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    it('reads zeros and empty rows before any training', async () => {
      expect(await store.userAppScores('ann', [app('a'), app('b')])).toStrictEqual([0, 0]);
      expect(await store.topUserApps('ann', 5)).toStrictEqual([]);
      expect(await store.appNeighbours([app('a'), app('b')], 5)).toStrictEqual([
        { total: 0, top: [] },
        { total: 0, top: [] },
      ]);
      expect(await store.appPairScores(app('a'), [app('b')])).toStrictEqual([0]);
      expect(await store.userAppScores('ann', [])).toStrictEqual([]);
      expect(await store.appNeighbours([], 5)).toStrictEqual([]);
    });

    it('adds user→app scores, each app once per call, and reads them in the order asked', async () => {
      expect(await store.incrementUserApps('ann', [app('a'), app('b'), app('a')], 5)).toBe(true);
      await store.incrementUserApp('ann', app('b'), 1);
      await store.incrementUserApp('ann', app('c', 'pay'), 2);
      expect(await store.userAppScores('ann', [app('c', 'pay'), app('zz'), app('b'), app('a'), app('c')])).toStrictEqual([2, 0, 6, 5, 0]);
      expect(names(await store.topUserApps('ann', 10))).toStrictEqual(['shop/b:6', 'shop/a:5', 'pay/c:2']);
      expect(names(await store.topUserApps('ann', 2))).toStrictEqual(['shop/b:6', 'shop/a:5']);
      expect(await store.topUserApps('ann', 0)).toStrictEqual([]);
      expect(await store.userAppScores('bob', [app('a')])).toStrictEqual([0]);
    });

    it('orders equal scores by descending app key, the order Redis gives', async () => {
      await store.incrementUserApps('ann', [app('b'), app('a'), app('c'), app('a', 'ads')], 1);
      expect(names(await store.topUserApps('ann', 10))).toStrictEqual(['shop/c:1', 'shop/b:1', 'shop/a:1', 'ads/a:1']);
    });

    it('keeps users and apps whose names look like key parts apart', async () => {
      await store.incrementUserApp('us:ann', app('a'), 3);
      await store.incrementUserApp('ann', app('a'), 1);
      await store.incrementAppPair(app('a'), app('us:ann'), 2);
      expect(await store.userAppScores('us:ann', [app('a')])).toStrictEqual([3]);
      expect(await store.userAppScores('ann', [app('a')])).toStrictEqual([1]);
      expect(await store.appPairScores(app('a'), [app('us:ann')])).toStrictEqual([2]);
    });

    it('adds app↔app scores to both sides and keeps each row total', async () => {
      await store.incrementAppPairs([app('a'), app('b'), app('c'), app('b')], 1);
      await store.incrementAppPair(app('a'), app('b'), 2);
      await store.incrementAppPair(app('a'), app('a'), 4); // an app is not its own neighbour
      await store.incrementAppPairs([app('d')], 4);
      expect(await store.appPairScores(app('a'), [app('b'), app('c'), app('a'), app('d')])).toStrictEqual([3, 1, 0, 0]);
      expect(await store.appPairScores(app('b'), [app('a'), app('c')])).toStrictEqual([3, 1]);
      const [a, b, c, d] = await store.appNeighbours([app('a'), app('b'), app('c'), app('d')], 1);
      expect({ total: a.total, top: names(a.top) }).toStrictEqual({ total: 4, top: ['shop/b:3'] });
      expect({ total: b.total, top: names(b.top) }).toStrictEqual({ total: 4, top: ['shop/a:3'] });
      expect({ total: c.total, top: names(c.top) }).toStrictEqual({ total: 2, top: ['shop/b:1'] });
      expect(d).toStrictEqual({ total: 0, top: [] });
      const [totalsOnly] = await store.appNeighbours([app('a')], 0);
      expect(totalsOnly).toStrictEqual({ total: 4, top: [] });
    });

    it('refuses amounts that could never apply', async () => {
      for (const by of [0, -1, Number.NaN, Infinity]) {
        const err = (await store.incrementUserApp('ann', app('a'), by).then(
          () => undefined,
          (e: unknown) => e,
        )) as LogfedError | undefined;
        expect(err?.code).toBe('BAD_USER_INPUT');
      }
      await expect(store.incrementAppPair(app('a'), app('b'), -2)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(await store.userAppScores('ann', [app('a')])).toStrictEqual([0]);
    });

    describe('decay', () => {
      beforeEach(() => {
        store = fixture.open({ now, halfLifeMs: HALF });
      });

      it('halves a score every half-life, and weighs later increments as fresh', async () => {
        await store.incrementUserApp('ann', app('a'), 8);
        await store.incrementAppPair(app('a'), app('b'), 8);
        clock += HALF;
        expect((await store.userAppScores('ann', [app('a')]))[0]).toBeCloseTo(4, 9);
        await store.incrementUserApp('ann', app('b'), 6);
        clock += 2 * HALF;
        const [a, b] = await store.userAppScores('ann', [app('a'), app('b')]);
        expect(a).toBeCloseTo(1, 9);
        expect(b).toBeCloseTo(1.5, 9);
        expect(names(await store.topUserApps('ann', 5))).toStrictEqual(['shop/b:1.5', 'shop/a:1']);
        const [row] = await store.appNeighbours([app('a')], 5);
        expect(row.total).toBeCloseTo(1, 9);
        expect(row.top[0].score).toBeCloseTo(1, 9);
      });

      it('renormalises a row whose factor grew large without changing what it reads, and forgets what faded away', async () => {
        await store.incrementUserApp('ann', app('old'), 1);
        await store.incrementUserApp('ann', app('big'), 2 ** 50);
        for (let i = 0; i < 3; i++) {
          clock += 10 * HALF; // the row is kept alive, and its factor keeps growing
          await store.incrementUserApp('ann', app('tick'), 2 ** -20);
        }
        clock += 10 * HALF; // past the renormalisation threshold
        await store.incrementUserApp('ann', app('new'), 3);
        const [old, big, fresh] = await store.userAppScores('ann', [app('old'), app('big'), app('new')]);
        expect(old).toBe(0);
        expect(big).toBeCloseTo(2 ** 10, 6);
        expect(fresh).toBeCloseTo(3, 9);
        clock += HALF;
        await store.incrementUserApp('ann', app('new'), 1);
        expect(names(await store.topUserApps('ann', 5))).toStrictEqual(['shop/big:512', 'shop/new:2.5']);
        expect(await store.userAppScores('ann', [app('tick')])).toStrictEqual([0]);
      });

      it('keeps every replica on the same decayed values', async () => {
        const other = fixture.open({ now, halfLifeMs: HALF });
        await store.incrementUserApp('ann', app('a'), 4);
        clock += HALF;
        await other.incrementUserApp('ann', app('a'), 4);
        expect((await store.userAppScores('ann', [app('a')]))[0]).toBeCloseTo(6, 9);
        expect((await other.userAppScores('ann', [app('a')]))[0]).toBeCloseTo(6, 9);
      });
    });

    it('keeps scores forever when the half-life is Infinity', async () => {
      await store.incrementUserApp('ann', app('a'), 2);
      clock += 10 * 365 * 24 * 3600_000;
      expect(await store.userAppScores('ann', [app('a')])).toStrictEqual([2]);
    });

    it('shares scores between two stores on the same state, as gateway replicas do', async () => {
      const replica = fixture.open({ now, halfLifeMs: Infinity });
      await Promise.all([store.incrementUserApp('ann', app('a'), 5), replica.incrementUserApp('ann', app('a'), 5)]);
      await replica.incrementAppPairs([app('a'), app('b')], 1);
      expect(await store.userAppScores('ann', [app('a')])).toStrictEqual([10]);
      expect(await store.appPairScores(app('b'), [app('a')])).toStrictEqual([1]);
      expect(await replica.userAppScores('ann', [app('a')])).toStrictEqual([10]);
    });

    it('ranks from what training wrote', async () => {
      // Ann names `order` twice and `cart` once; keyword searches find order with pay/gw, and cart with stock.
      await trainFromQuery(store, { user: 'ann', namedApps: [app('order')], resultApps: [] });
      await trainFromQuery(store, { user: 'ann', namedApps: [app('order'), app('cart')], resultApps: [] });
      await trainFromQuery(store, { user: 'bob', namedApps: [], resultApps: [app('order'), app('gw', 'pay'), app('order')] });
      await trainFromQuery(store, { user: 'bob', namedApps: [], resultApps: [app('cart'), app('stock')] });
      const candidates = ['zeta', 'stock', 'cart', 'alpha', 'order'].map((n) => app(n)).concat(app('gw', 'pay'));
      const { batches, usedAffinity } = await rankApps({ user: 'ann', candidates, store, batchSize: 3, userTop: 2 });
      expect(usedAffinity).toBe(true);
      // order (10) and cart (5) by user score; gw (2/3 × 1/1) before stock (1/3 × 1/1); then names.
      expect(batches.map((b) => b.map((a) => a.app))).toStrictEqual([
        ['order', 'cart', 'gw'],
        ['stock', 'alpha', 'zeta'],
      ]);
    });
  });
}
