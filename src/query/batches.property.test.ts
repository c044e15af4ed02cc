// Property: whatever the layouts, the backends' capabilities, the batch size, the page sizes and
// however the ranking changes between pages, walking a ranked search page by page — from the end
// cursor or from any edge's cursor — yields exactly the events a strategy-all search yields, each
// once; every page is in time order, and batches come in order.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMemoryAffinityStore } from '../affinity/memory-store.js';
import { trainFromQuery } from '../affinity/train.js';
import { createQueryEngine } from './chain.js';
import { createAffinityRank } from './rank.js';
import type { SearchInput } from './request.js';
import { ALL_PUSHDOWN, ev, FakeAdapter, fakeTopology, NO_PUSHDOWN, store } from './testing.js';
import type { AdapterCapabilities } from './types.js';
import type { Logstore } from '../topology/types.js';

const caps: AdapterCapabilities[] = [ALL_PUSHDOWN, NO_PUSHDOWN, { ...ALL_PUSHDOWN, pages: false }, { ...NO_PUSHDOWN, sorts: false }];

const rowArb = fc.record({ ts: fc.integer({ min: 0, max: 40 }), hit: fc.boolean() });
const appArb = fc.record({
  domain: fc.constantFrom('shop', 'pay'),
  /** One app-layout logstore, or one per file. */
  files: fc.integer({ min: 0, max: 2 }),
  caps: fc.integer({ min: 0, max: caps.length - 1 }),
  rows: fc.array(rowArb, { maxLength: 12 }),
});
const caseArb = fc.record({
  apps: fc.array(appArb, { minLength: 1, maxLength: 8 }),
  /** Rows of an env-layout logstore of shop (env pre) that the query does not narrow. */
  envRows: fc.option(fc.array(rowArb, { maxLength: 8 }), { nil: undefined }),
  batchSize: fc.integer({ min: 1, max: 3 }),
  userTop: fc.integer({ min: 0, max: 3 }),
  order: fc.constantFrom<'asc' | 'desc'>('asc', 'desc'),
  first: fc.integer({ min: 1, max: 6 }),
  keyword: fc.boolean(),
  /** Apps the user named before the walk, and one more after each page. */
  history: fc.array(fc.nat(7), { maxLength: 4 }),
  between: fc.array(fc.nat(7), { maxLength: 30 }),
  resumeAt: fc.array(fc.option(fc.double({ min: 0, max: 0.999, noNaN: true }), { nil: undefined }), { maxLength: 40 }),
});

describe('paging through batches (property)', () => {
  it('yields what strategy all yields, each event once, pages in time order', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const stores: Logstore[] = [];
        const adapters = caps.map((capabilities) => new FakeAdapter({ capabilities }));
        c.apps.forEach((a, i) => {
          const name = `a${i}`;
          const files = a.files === 0 ? [undefined] : Array.from({ length: a.files }, (_, f) => `f${f}.log`);
          files.forEach((file, f) => {
            const id = `${a.domain}-${name}${file ? `-${file}` : ''}`;
            stores.push(store(id, { domain: a.domain, backend: String(a.caps), ...(file ? { layout: 'file', app: name, file } : { layout: 'app', app: name }) }));
            const mine = a.rows.filter((_, k) => k % files.length === f);
            adapters[a.caps]!.add(id, mine.map((r, k) => ev(r.ts, { domain: a.domain, app: name, file: file ?? 'app.log', message: `${r.hit ? 'hit' : 'miss'} ${id}#${k}` })));
          });
        });
        if (c.envRows) {
          stores.push(store('shop-pre', { domain: 'shop', env: 'pre', layout: 'env', backend: '0' }));
          adapters[0]!.add('shop-pre', c.envRows.map((r, k) => ev(r.ts, { domain: 'shop', env: 'pre', app: `e${k % 3}`, message: `${r.hit ? 'hit' : 'miss'} pre#${k}` })));
        }
        const affinity = createMemoryAffinityStore({ halfLifeMs: Infinity });
        const named = (n: number) => {
          const a = c.apps[n % c.apps.length]!;
          return trainFromQuery(affinity, { user: 'ann', namedApps: [{ domain: a.domain, app: `a${n % c.apps.length}` }], resultApps: [] });
        };
        for (const n of c.history) await named(n);

        const engine = createQueryEngine({
          now: () => 50,
          rank: createAffinityRank({ store: affinity, batchSize: c.batchSize, userTop: Math.min(c.userTop, c.batchSize) }),
        });
        const ctx = { topology: fakeTopology(stores), adapters: (b: string) => adapters[Number(b)], user: 'ann' };
        const input: SearchInput = { from: 0, to: 200, order: c.order, first: c.first, ...(c.keyword ? { keywords: 'hit' } : {}) };

        const reference: string[] = [];
        for (let after: string | undefined, page = 0; ; page++) {
          if (page > 200) throw new Error('strategy all did not end');
          const r = await engine.search(ctx, { ...input, first: 1000, strategy: 'all', ...(after ? { after } : {}) });
          reference.push(...r.edges.map((e) => e.event.message));
          if (!r.pageInfo.hasNextPage) break;
          after = r.pageInfo.endCursor;
        }

        const seen: string[] = [];
        let batch = 1;
        let after: string | undefined;
        for (let page = 0; ; page++) {
          if (page > 300) throw new Error('paging did not end');
          const r = await engine.search(ctx, { ...input, strategy: 'affinity', ...(after ? { after } : {}) });
          const ts = r.edges.map((e) => e.event.ts);
          expect(ts).toEqual([...ts].sort((x, y) => (c.order === 'asc' ? x - y : y - x)));
          expect(r.batches!.current).toBeGreaterThanOrEqual(batch);
          batch = r.batches!.current;
          const pick = c.resumeAt[page];
          const upTo = pick === undefined || !r.edges.length ? r.edges.length : Math.floor(pick * r.edges.length) + 1;
          seen.push(...r.edges.slice(0, upTo).map((e) => e.event.message));
          if (upTo < r.edges.length) after = r.edges[upTo - 1]!.cursor;
          else {
            if (!r.pageInfo.hasNextPage) break;
            after = r.pageInfo.endCursor;
          }
          if (page < c.between.length) await named(c.between[page]!);
        }
        expect(seen.length).toBe(new Set(seen).size);
        expect([...seen].sort()).toEqual([...reference].sort());
      }),
      { seed: 20240611, numRuns: 150 },
    );
  });
});
