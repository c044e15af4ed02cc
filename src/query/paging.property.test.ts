// Property: whatever the backends' capabilities, the page sizes, ties in time and events that
// arrive between pages, walking a query page by page through the engine — resuming from the end
// cursor or from any edge's cursor — yields the reference list: all matching events sorted by ts,
// each exactly once.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../core/event.js';
import { createQueryEngine } from './chain.js';
import type { SearchInput } from './request.js';
import { ALL_PUSHDOWN, ev, FakeAdapter, fakeTopology, NO_PUSHDOWN, store } from './testing.js';
import type { AdapterCapabilities } from './types.js';

const NOW = 50;
const caps: AdapterCapabilities[] = [
  ALL_PUSHDOWN,
  NO_PUSHDOWN,
  { ...ALL_PUSHDOWN, pages: false },
  { ...NO_PUSHDOWN, sorts: false },
  { ...NO_PUSHDOWN, sorts: false, pages: false },
];

const rowArb = fc.record({ ts: fc.integer({ min: 0, max: 40 }), hit: fc.boolean() });
const targetArb = fc.record({
  caps: fc.integer({ min: 0, max: caps.length - 1 }),
  maxPage: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
  rows: fc.array(rowArb, { maxLength: 25 }),
});
const caseArb = fc.record({
  targets: fc.array(targetArb, { minLength: 1, maxLength: 5 }),
  order: fc.constantFrom<'asc' | 'desc'>('asc', 'desc'),
  first: fc.integer({ min: 1, max: 8 }),
  keyword: fc.boolean(),
  // A small maxScanRows leaves targets read only part way, so pages end at their frontiers.
  scanCap: fc.option(fc.integer({ min: 2, max: 12 }), { nil: undefined }),
  // Per page: how many events arrive into which target before the next page is asked for.
  arrivals: fc.array(fc.array(fc.nat(4), { maxLength: 3 }), { maxLength: 6 }),
  // Per page: which edge to resume from (as a fraction of the page), or the end cursor.
  resumeAt: fc.array(fc.option(fc.double({ min: 0, max: 0.999, noNaN: true }), { nil: undefined }), { maxLength: 40 }),
});

describe('paging through the engine (property)', () => {
  it('matches the sorted reference with no duplicate and no gap', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const stores = c.targets.map((_, i) => store(`t${i}`, { layout: 'app', app: `a${i}`, backend: `b${i}` }));
        const adapters = c.targets.map((t, i) => {
          // Past maxScanRows a backend that does not sort gives an approximate order (documented), so
          // with a scan cap those backends sort. A page-size cap is only servable by one that pages.
          const capabilities = c.scanCap && !caps[t.caps]!.sorts ? { ...caps[t.caps]!, sorts: true } : caps[t.caps]!;
          const capped = t.maxPage && capabilities.pages ? { maxPage: t.maxPage } : {};
          const a = new FakeAdapter({ capabilities, ...capped });
          return a.add(`t${i}`, t.rows.map((r, k) => ev(r.ts, { app: `a${i}`, message: `${r.hit ? 'hit' : 'miss'} t${i}#${k}` })));
        });
        const engine = createQueryEngine({ now: () => NOW });
        const ctx = {
          topology: fakeTopology(stores),
          adapters: (b: string) => adapters[Number(b.slice(1))],
          ...(c.scanCap ? { limits: { maxScanRows: c.scanCap } } : {}),
        };
        const input: SearchInput = { from: 0, to: 200, order: c.order, first: c.first, ...(c.keyword ? { keywords: 'hit' } : {}) };

        const arrived: LogEvent[] = [];
        const seen: LogEvent[] = [];
        let after: string | undefined;
        for (let page = 0; ; page++) {
          if (page > 200) throw new Error('paging did not end');
          const r = await engine.search(ctx, { ...input, ...(after ? { after } : {}) });
          const pick = c.resumeAt[page];
          const upTo = pick === undefined || !r.edges.length ? r.edges.length : Math.floor(pick * r.edges.length) + 1;
          seen.push(...r.edges.slice(0, upTo).map((e) => e.event));
          if (upTo < r.edges.length) {
            after = r.edges[upTo - 1]!.cursor;
          } else {
            if (!r.pageInfo.hasNextPage) break;
            after = r.pageInfo.endCursor;
          }
          // Arrivals are newer than everything so far: beyond the walk when it goes back in
          // time (desc, so never seen), at its end when it goes forward (asc, live range).
          (c.arrivals[page] ?? []).forEach((target, j) => {
            const i = target % c.targets.length;
            const e = ev(100 + page * 3 + j, { app: `a${i}`, message: `hit t${i}#new${page}.${j}` });
            adapters[i]!.add(`t${i}`, [e]);
            arrived.push(e);
          });
        }

        const initial = c.targets.flatMap((t, i) => t.rows.map((r, k) => ({ ts: r.ts, message: `${r.hit ? 'hit' : 'miss'} t${i}#${k}` })));
        const reference = [...initial, ...(c.order === 'asc' ? arrived : [])]
          .filter((e) => !c.keyword || e.message.startsWith('hit'))
          .sort((a, b) => (c.order === 'asc' ? a.ts - b.ts : b.ts - a.ts));
        expect(seen.map((e) => e.ts)).toEqual(reference.map((e) => e.ts));
        expect(seen.map((e) => e.message).sort()).toEqual(reference.map((e) => e.message).sort());
      }),
      { seed: 20240601, numRuns: 150 },
    );
  });
});
