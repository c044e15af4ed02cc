// The contract every PatternStore keeps, run by each implementation from a short test file
// (memory: src/patterns/memory-store.test.ts, MySQL: test/integration/patterns-mysql.test.ts).
// Each test gets a fresh, empty store; `reopen` opens a second store on the same data, as a
// restarted process would.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMiner, restoreMiner } from '../../src/miner/index.js';
import type { PatternDelta, PatternQuery, PatternStore } from '../../src/patterns/store.js';

export interface PatternStoreFixture {
  store: PatternStore;
  /** A new store instance over the same data (tables), with the same options. */
  reopen(): Promise<PatternStore>;
  cleanup(): Promise<void>;
}

export type CreatePatternStore = (opts: { maxSamples: number }) => Promise<PatternStoreFixture>;

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 21, 8, 0, 0);

function delta(over: Partial<PatternDelta> & Pick<PatternDelta, 'patternId'>): PatternDelta {
  return {
    domain: 'shop',
    app: 'cart',
    template: `template of ${over.patternId}`,
    topPatternId: 't1',
    count: 1,
    firstSeen: T0,
    lastSeen: T0,
    samples: [],
    buckets: [[T0, over.count ?? 1]],
    ...over,
  };
}

const query = (over: Partial<PatternQuery> = {}): PatternQuery => ({ order: 'count', limit: 100, ...over });
const ids = (records: Array<{ patternId: string }>) => records.map((r) => r.patternId);

export function definePatternStoreContract(name: string, create: CreatePatternStore): void {
  describe(`PatternStore contract: ${name}`, () => {
    let fx: PatternStoreFixture;
    let store: PatternStore;

    beforeEach(async () => {
      fx = await create({ maxSamples: 3 });
      store = fx.store;
    });
    afterEach(async () => {
      await store.close();
      await fx.cleanup();
    });

    it('adds deltas up: counts, first and last seen, template and top pattern follow the latest', async () => {
      await store.write({ merges: [], deltas: [delta({ patternId: 'p1', count: 3, firstSeen: T0 + 5, lastSeen: T0 + 9 })] });
      await store.write({
        merges: [],
        deltas: [delta({ patternId: 'p1', count: 2, firstSeen: T0 + 1, lastSeen: T0 + 7, template: 'wider <*>', topPatternId: 't2' })],
      });
      expect(await store.get('shop', 'cart', 'p1')).toStrictEqual({
        domain: 'shop',
        app: 'cart',
        patternId: 'p1',
        template: 'wider <*>',
        topPatternId: 't2',
        count: 5,
        firstSeen: T0 + 1,
        lastSeen: T0 + 9,
        samples: [],
      });
      expect(await store.get('shop', 'cart', 'nope')).toBeUndefined();
      expect(await store.get('shop', 'other', 'p1')).toBeUndefined();
    });

    it('keeps distinct samples, oldest first, up to maxSamples', async () => {
      await store.write({ merges: [], deltas: [delta({ patternId: 'p1', samples: ['a 1', 'a 2'] })] });
      await store.write({ merges: [], deltas: [delta({ patternId: 'p1', samples: ['a 2', 'a 3', 'a 4'] })] });
      expect((await store.get('shop', 'cart', 'p1'))?.samples).toStrictEqual(['a 1', 'a 2', 'a 3']);
    });

    it('keeps odd text as it came: unicode names, quotes, backslashes, percent signs', async () => {
      const text = 'naïve 日志 \'quoted\' "double" back\\slash 100% under_score 🚀';
      await store.write({ merges: [], deltas: [delta({ domain: 'dömain', app: 'äpp', patternId: 'p1', template: text, samples: [text] })] });
      const got = await store.get('dömain', 'äpp', 'p1');
      expect(got).toMatchObject({ template: text, samples: [text] });
      expect(ids(await store.list(query({ text: '100% under_' })))).toStrictEqual(['p1']);
      expect(ids(await store.list(query({ text: '100_ under%' })))).toStrictEqual([]);
    });

    it('lists by count, by last seen and by first seen, ties by key, cut to the limit', async () => {
      await store.write({
        merges: [],
        deltas: [
          delta({ patternId: 'pa', count: 5, firstSeen: T0 + 3, lastSeen: T0 + 10 }),
          delta({ patternId: 'pb', count: 9, firstSeen: T0 + 1, lastSeen: T0 + 30 }),
          delta({ patternId: 'pc', count: 5, firstSeen: T0 + 7, lastSeen: T0 + 20 }),
        ],
      });
      expect(ids(await store.list(query({ order: 'count' })))).toStrictEqual(['pb', 'pa', 'pc']);
      expect(ids(await store.list(query({ order: 'recent' })))).toStrictEqual(['pb', 'pc', 'pa']);
      expect(ids(await store.list(query({ order: 'new' })))).toStrictEqual(['pc', 'pa', 'pb']);
      expect(ids(await store.list(query({ order: 'count', limit: 2 })))).toStrictEqual(['pb', 'pa']);
    });

    it('filters by domain, app, top pattern, template text, annotation and last seen', async () => {
      await store.write({
        merges: [],
        deltas: [
          delta({ patternId: 'p1', template: 'order <*> created', lastSeen: T0 + 50 }),
          delta({ patternId: 'p2', app: 'user', topPatternId: 't9', template: 'login ok' }),
          delta({ patternId: 'p3', domain: 'pay', app: 'core', template: 'order <*> paid' }),
        ],
      });
      await store.annotate('pay', 'core', 'p3', { label: 'known', author: 'ann', at: T0 });
      expect(ids(await store.list(query({ domains: ['pay'] })))).toStrictEqual(['p3']);
      expect(ids(await store.list(query({ apps: ['user', 'cart'] }))).sort()).toStrictEqual(['p1', 'p2']);
      expect(ids(await store.list(query({ apps: [] })))).toStrictEqual([]);
      expect(ids(await store.list(query({ topPatternId: 't9' })))).toStrictEqual(['p2']);
      expect(ids(await store.list(query({ text: 'order', order: 'new' }))).sort()).toStrictEqual(['p1', 'p3']);
      expect(ids(await store.list(query({ labelled: true })))).toStrictEqual(['p3']);
      expect(ids(await store.list(query({ labelled: false }))).sort()).toStrictEqual(['p1', 'p2']);
      expect(ids(await store.list(query({ seenSince: T0 + 1 })))).toStrictEqual(['p1']);
    });

    it('annotates a known pattern, keeps the annotation through later counts, and ignores unknown ones', async () => {
      await store.write({ merges: [], deltas: [delta({ patternId: 'p1' })] });
      const annotation = { label: 'lock wait', cause: 'row lock on orders', advice: 'retry with backoff', author: 'ann', at: T0 + 5 };
      expect((await store.annotate('shop', 'cart', 'p1', annotation))?.annotation).toStrictEqual(annotation);
      await store.write({ merges: [], deltas: [delta({ patternId: 'p1', count: 4 })] });
      expect(await store.get('shop', 'cart', 'p1')).toMatchObject({ count: 5, annotation });
      const relabelled = await store.annotate('shop', 'cart', 'p1', { label: 'only a label', author: 'bob', at: T0 + 9 });
      expect(relabelled?.annotation).toStrictEqual({ label: 'only a label', author: 'bob', at: T0 + 9 });
      expect(await store.annotate('shop', 'cart', 'unknown', annotation)).toBeUndefined();
    });

    it('keeps a per-bucket history, read by range and pruned by age', async () => {
      await store.write({ merges: [], deltas: [delta({ patternId: 'p1', count: 3, buckets: [[T0, 1], [T0 + MIN, 2]] })] });
      await store.write({ merges: [], deltas: [delta({ patternId: 'p1', count: 5, buckets: [[T0 + MIN, 1], [T0 + 3 * MIN, 4]] })] });
      expect(await store.history('shop', 'cart', 'p1', T0, T0 + 10 * MIN)).toStrictEqual([
        { ts: T0, count: 1 },
        { ts: T0 + MIN, count: 3 },
        { ts: T0 + 3 * MIN, count: 4 },
      ]);
      expect(await store.history('shop', 'cart', 'p1', T0 + MIN, T0 + 3 * MIN)).toStrictEqual([{ ts: T0 + MIN, count: 3 }]);
      expect(await store.pruneHistory(T0 + 2 * MIN)).toBe(2);
      expect(await store.history('shop', 'cart', 'p1', 0, T0 + 10 * MIN)).toStrictEqual([{ ts: T0 + 3 * MIN, count: 4 }]);
      expect((await store.get('shop', 'cart', 'p1'))?.count).toBe(8);
    });

    it('folds merged patterns into the target: counts, seen times, samples, history and the newest annotation', async () => {
      await store.write({
        merges: [],
        deltas: [
          delta({ patternId: 'pa', count: 2, firstSeen: T0 + 2, lastSeen: T0 + 4, samples: ['a'], buckets: [[T0, 2]] }),
          delta({ patternId: 'pb', count: 3, firstSeen: T0 + 1, lastSeen: T0 + 3, samples: ['b'], buckets: [[T0, 1], [T0 + MIN, 2]] }),
          delta({ app: 'user', patternId: 'pa', count: 7 }),
        ],
      });
      await store.annotate('shop', 'cart', 'pa', { label: 'old', author: 'ann', at: T0 + 1 });
      await store.annotate('shop', 'cart', 'pb', { label: 'newer', author: 'bob', at: T0 + 2 });
      await store.write({
        merges: [{ domain: 'shop', app: 'cart', from: ['pa', 'pb'], into: 'pz', template: 'x <*>', topPatternId: 'tz' }],
        deltas: [delta({ patternId: 'pz', template: 'x <*>', topPatternId: 'tz', count: 1, firstSeen: T0 + 9, lastSeen: T0 + 9, samples: ['z'], buckets: [[T0 + MIN, 1]] })],
      });
      expect(await store.get('shop', 'cart', 'pa')).toBeUndefined();
      expect(await store.get('shop', 'cart', 'pb')).toBeUndefined();
      expect(await store.get('shop', 'cart', 'pz')).toStrictEqual({
        domain: 'shop',
        app: 'cart',
        patternId: 'pz',
        template: 'x <*>',
        topPatternId: 'tz',
        count: 6,
        firstSeen: T0 + 1,
        lastSeen: T0 + 9,
        samples: ['a', 'b', 'z'],
        annotation: { label: 'newer', author: 'bob', at: T0 + 2 },
      });
      expect(await store.history('shop', 'cart', 'pz', 0, T0 + 10 * MIN)).toStrictEqual([
        { ts: T0, count: 3 },
        { ts: T0 + MIN, count: 3 },
      ]);
      expect(await store.history('shop', 'cart', 'pa', 0, T0 + 10 * MIN)).toStrictEqual([]);
      expect((await store.get('shop', 'user', 'pa'))?.count).toBe(7);
    });

    it('keeps the target’s own annotation when patterns fold into an existing one', async () => {
      await store.write({ merges: [], deltas: [delta({ patternId: 'pa', count: 2 }), delta({ patternId: 'pb', count: 3 })] });
      await store.annotate('shop', 'cart', 'pa', { label: 'target', author: 'ann', at: T0 });
      await store.annotate('shop', 'cart', 'pb', { label: 'merged', author: 'bob', at: T0 + 5 });
      await store.write({ merges: [{ domain: 'shop', app: 'cart', from: ['pb'], into: 'pa', template: 'y', topPatternId: 't1' }], deltas: [] });
      expect(await store.get('shop', 'cart', 'pa')).toMatchObject({ count: 5, template: 'y', annotation: { label: 'target' } });
      expect(ids(await store.list(query()))).toStrictEqual(['pa']);
    });

    it('saves miner states per (domain, app), the latest save winning', async () => {
      const miner = createMiner();
      miner.add('user 1 logged in', T0);
      await store.saveMiners([{ domain: 'shop', app: 'cart', state: miner.snapshot() }]);
      miner.add('user 2 logged in', T0 + 1);
      miner.add('cache miss for key 7', T0 + 2);
      await store.saveMiners([
        { domain: 'shop', app: 'cart', state: miner.snapshot() },
        { domain: 'shop', app: 'user', state: createMiner().snapshot() },
      ]);
      const loaded = await store.loadMiners();
      expect(loaded.map((m) => `${m.domain}/${m.app}`).sort()).toStrictEqual(['shop/cart', 'shop/user']);
      expect(loaded.find((m) => m.app === 'cart')?.state).toStrictEqual(miner.snapshot());
    });

    it('hands a restarted process the miner and the counts where the last one stopped', async () => {
      const miner = createMiner();
      const first = miner.add('payment 17 failed via alipay', T0);
      await store.write({ merges: [], deltas: [delta({ patternId: first.patternId, template: first.template, count: 1 })] });
      await store.saveMiners([{ domain: 'shop', app: 'cart', state: miner.snapshot() }]);
      await store.close();

      store = await fx.reopen();
      const saved = (await store.loadMiners()).find((m) => m.domain === 'shop' && m.app === 'cart');
      expect(saved).toBeDefined();
      const resumed = restoreMiner(saved!.state);
      const again = resumed.add('payment 18 failed via alipay', T0 + 1);
      expect(again).toMatchObject({ patternId: first.patternId, change: 'none' });
      await store.write({ merges: [], deltas: [delta({ patternId: again.patternId, template: again.template, count: 1, lastSeen: T0 + 1 })] });
      expect(await store.get('shop', 'cart', first.patternId)).toMatchObject({ count: 2, firstSeen: T0, lastSeen: T0 + 1 });
    });
  });
}
