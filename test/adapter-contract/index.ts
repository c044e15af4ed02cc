// The contract every adapter runs: `defineAdapterContract(name, harness)` from a short test file
// beside the adapter. The harness seeds a real backend with the contract's dataset; the suite
// checks the adapter against the same data filtered in memory (see check.ts).

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogEvent } from '../../src/core/event.js';
import type { Adapter, Order, Target } from '../../src/query/types.js';
import type { Layout } from '../../src/topology/types.js';
import {
  eventKey,
  expectSameEvents,
  expected,
  isCancellation,
  pageAll,
  request,
  tiedTimestamps,
  toFilter,
  type FilterSpec,
} from './check.js';
import { APPS, DOMAIN, ENV, FILES, filterCases, makeAppended, makeDataset } from './dataset.js';

export interface SeedOptions {
  layout: Layout;
  domain: string;
  env: string;
  /** Set for the app and file layouts. */
  app?: string;
  /** Set for the file layout. */
  file?: string;
}

export interface AdapterHarness {
  adapter: Adapter;
  /** Stores the events in a new logstore of the backend and returns a target for it. */
  seed(events: LogEvent[], opts: SeedOptions): Promise<Target>;
  /** Adds events to a seeded logstore, as a running application would. */
  append?(target: Target, events: LogEvent[]): Promise<void>;
  cleanup(): Promise<void>;
}

export { makeDataset } from './dataset.js';

const ORDERS: Order[] = ['desc', 'asc'];

export function defineAdapterContract(name: string, harness: () => Promise<AdapterHarness>): void {
  describe(`adapter contract: ${name}`, () => {
    const data = makeDataset();
    const from = data[0]!.ts;
    const to = data[data.length - 1]!.ts + 1;
    const cartEvents = data.filter((e) => e.app === 'cart');
    const cartErrors = cartEvents.filter((e) => e.file === 'error');
    let h: AdapterHarness;
    let adapter: Adapter;
    let env: Target;
    let app: Target;
    let file: Target;

    beforeAll(async () => {
      h = await harness();
      adapter = h.adapter;
      env = await h.seed(data, { layout: 'env', domain: DOMAIN, env: ENV });
      app = await h.seed(cartEvents, { layout: 'app', domain: DOMAIN, env: ENV, app: 'cart' });
      file = await h.seed(cartErrors, { layout: 'file', domain: DOMAIN, env: ENV, app: 'cart', file: 'error' });
    });
    afterAll(async () => {
      await h?.cleanup();
    });

    /** Runs one search to the end in pages of `limit` and compares it with the dataset. */
    const check = async (target: Target, seeded: LogEvent[], spec: FilterSpec, order: Order, limit = 1000, range = { from, to }) => {
      const filter = toFilter(spec, range.from, range.to);
      const got = await pageAll(adapter, target, filter, order, limit);
      expectSameEvents(adapter, target, filter, got.hits, expected(seeded, target, filter), order);
      return got;
    };

    describe('filters', () => {
      for (const order of ORDERS) {
        for (const c of filterCases(data.find((e) => e.traceId)!.traceId!)) {
          it(`${c.name} (${order})`, async () => {
            await check(env, data, c, order);
          });
        }
      }
    });

    describe('time range', () => {
      const ties = tiedTimestamps(data);
      it('has ties in its dataset', () => expect(ties.length).toBeGreaterThan(10));
      for (const order of ORDERS) {
        it(`includes from and excludes to, on tied timestamps (${order})`, async () => {
          const range = { from: ties[3]!, to: ties[ties.length - 4]! };
          const got = await check(env, data, {}, order, 1000, range);
          const stamps = got.hits.map((h) => h.event.ts);
          expect(stamps).toContain(range.from);
          expect(stamps).not.toContain(range.to);
        });
        it(`finds nothing in an empty or inverted range (${order})`, async () => {
          await check(env, data, {}, order, 10, { from: to + 10_000, to: to + 20_000 });
          const page = await adapter.search(request(env, toFilter({}, to, from), order, 10));
          expect(page).toEqual({ hits: [], done: true });
        });
        it(`ranges that cut between files and inside ties (${order})`, async () => {
          for (const [a, b] of [
            [from, from + 1],
            [ties[0]!, ties[0]! + 1],
            [from + 37_000, from + 91_000],
            [to - 1, to],
          ] as const) {
            await check(env, data, { kw: 'order' }, order, 1000, { from: a, to: b });
          }
        });
      }
    });

    describe('layouts', () => {
      for (const order of ORDERS) {
        it(`env layout: only the apps and files a target names (${order})`, async () => {
          await check({ ...env, apps: ['cart', 'pay'] }, data, {}, order);
          await check({ ...env, files: ['error'] }, data, { kw: 'order' }, order);
          await check({ ...env, apps: ['ship'], files: ['app'] }, data, { levels: ['INFO'] }, order);
          await check({ ...env, apps: ['nobody'] }, data, {}, order);
        });
        it(`app layout: events carry the logstore's app (${order})`, async () => {
          const got = await check(app, cartEvents, {}, order);
          expect(new Set(got.hits.map((x) => x.event.app))).toEqual(new Set(['cart']));
          await check(app, cartEvents, { kw: 'order', levels: ['INFO'] }, order);
        });
        it(`file layout: events carry the logstore's app and file (${order})`, async () => {
          const got = await check(file, cartErrors, {}, order);
          expect(got.hits.length).toBeGreaterThan(0);
          for (const x of got.hits) expect([x.event.app, x.event.file]).toEqual(['cart', 'error']);
        });
      }
    });

    describe('paging', () => {
      for (const order of ORDERS) {
        it(`pages of 1, 7 and 50 give the one-shot answer, ties included (${order})`, async () => {
          const oneShot = await check(env, data, {}, order);
          expect(oneShot.pages).toBe(1);
          for (const size of [1, 7, 50]) {
            const paged = await check(env, data, {}, order, size);
            expect(paged.hits.map((x) => eventKey(x.event))).toEqual(oneShot.hits.map((x) => eventKey(x.event)));
          }
        });
        it(`pages through filtered results (${order})`, async () => {
          await check(env, data, { kw: 'order' }, order, 3);
          await check(env, data, { levels: ['ERROR', 'WARN'] }, order, 4);
          await check({ ...env, apps: ['pay'] }, data, { regex: '\\d{4}' }, order, 5);
          await check(app, cartEvents, {}, order, 6);
        });
        it(`done is true exactly when nothing follows the last hit (${order})`, async () => {
          // Time is the one filter every adapter applies itself, so it alone decides what follows;
          // an adapter that pushes keywords down must also look past events they exclude.
          const filters = [toFilter({}, data[100]!.ts, data[112]!.ts)];
          if (adapter.capabilities.pushdown.keywords) filters.push(toFilter({ kw: 'order 1001' }, from, to));
          for (const filter of filters) {
            const n = expected(data, env, filter).length;
            expect(n).toBeGreaterThan(2);
            const all = await adapter.search(request(env, filter, order, n));
            expect([all.hits.length, all.done]).toEqual([n, true]);
            const short = await adapter.search(request(env, filter, order, n - 1));
            expect([short.hits.length, short.done]).toEqual([n - 1, false]);
            const rest = await adapter.search(request(env, filter, order, 10, short.hits[n - 2]!.pos));
            expect([rest.hits.length, rest.done]).toEqual([1, true]);
            expect(eventKey(rest.hits[0]!.event)).toBe(eventKey(all.hits[n - 1]!.event));
          }
          const none = await adapter.search(request(env, toFilter({}, to + 1, to + 2), order, 10));
          expect(none).toEqual({ hits: [], done: true });
        });
        it(`random filters, ranges and page sizes agree with the dataset (${order})`, async () => {
          const words = ['order', '1001', '1002', 'Order', 'created', 'paid', '100%', 'user_', 'cart', 'WH-', '订单', 'at', 'ms'];
          const stamps = data.map((e) => e.ts);
          await fc.assert(
            fc.asyncProperty(
              fc.record({
                include: fc.subarray(words, { maxLength: 2 }),
                exclude: fc.subarray(words, { maxLength: 1 }),
                levels: fc.option(fc.subarray(['DEBUG', 'INFO', 'WARN', 'ERROR'], { minLength: 1 }), { nil: undefined }),
                apps: fc.option(fc.subarray([...APPS], { minLength: 1 }), { nil: undefined }),
                files: fc.option(fc.subarray([...FILES], { minLength: 1 }), { nil: undefined }),
                a: fc.constantFrom(...stamps),
                b: fc.constantFrom(...stamps),
                size: fc.integer({ min: 1, max: 40 }),
              }),
              async (p) => {
                const range = { from: Math.min(p.a, p.b), to: Math.max(p.a, p.b) + 1 };
                const target = { ...env, ...(p.apps ? { apps: p.apps } : {}), ...(p.files ? { files: p.files } : {}) };
                await check(target, data, { include: p.include, exclude: p.exclude, levels: p.levels }, order, p.size, range);
              },
            ),
            { numRuns: 25, seed: order === 'asc' ? 11 : 12 },
          );
        });
      }
      it('refuses a position it did not produce', async () => {
        const err = await adapter.search(request(env, toFilter({}, from, to), 'desc', 5, 'not-a-position')).catch((e: unknown) => e);
        expect(err).toMatchObject({ code: 'BAD_USER_INPUT' });
      });
    });

    describe('appends', () => {
      for (const order of ORDERS) {
        it(`resumes across events appended between pages (${order})`, async (ctx) => {
          if (!h.append) return ctx.skip();
          const target = await h.seed(data, { layout: 'env', domain: DOMAIN, env: ENV });
          const added = makeAppended(to);
          const filter = toFilter({ kw: 'order' }, from, added[added.length - 1]!.ts + 1);
          const start = await adapter.search(request(target, filter, order, 25));
          expect(start.done, 'the first page is not the whole answer').toBe(false);
          await h.append(target, added);
          const rest = await pageAll(adapter, target, filter, order, 10, start.hits[24]!.pos);
          const hits = [...start.hits, ...rest.hits];
          // Oldest first, appended events come after the cursor; newest first they were before it.
          const want = expected(order === 'asc' ? [...data, ...added] : data, target, filter);
          expectSameEvents(adapter, target, filter, hits, want, order);
          const fresh = await pageAll(adapter, target, filter, order, 50);
          expectSameEvents(adapter, target, filter, fresh.hits, expected([...data, ...added], target, filter), order);
        });
      }
    });

    describe('cancellation', () => {
      it('rejects a search whose signal is already aborted', async () => {
        const ac = new AbortController();
        ac.abort();
        const err = await adapter.search(request(env, toFilter({}, from, to), 'desc', 10, undefined, ac.signal)).catch((e: unknown) => e);
        expect(isCancellation(err), `expected a cancellation, got ${String(err)}`).toBe(true);
      });
      it('rejects a search aborted while it runs', async () => {
        const ac = new AbortController();
        const running = adapter.search(request(env, toFilter({ kw: 'no-such-term-anywhere' }, from, to), 'asc', 10, undefined, ac.signal));
        ac.abort();
        const err = await running.catch((e: unknown) => e);
        expect(isCancellation(err), `expected a cancellation, got ${JSON.stringify(err)}`).toBe(true);
        // The adapter still serves searches afterwards: nothing was left locked or leaked.
        const page = await adapter.search(request(env, toFilter({}, from, to), 'desc', 3));
        expect(page.hits).toHaveLength(3);
      });
    });
  });
}
