import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../core/event.js';
import { resumeRange, type Position } from './cursor.js';
import { parseKeywords } from './match.js';
import { localFilter, readTarget, type TargetRead } from './read.js';
import type { PlannedTarget } from './request.js';
import { ALL_PUSHDOWN, ev, FakeAdapter, NO_PUSHDOWN, store, type FakeAdapterOptions } from './testing.js';
import type { AdapterCapabilities, EventFilter, Order } from './types.js';

const planned = (over: Partial<PlannedTarget['target']> = {}, exclude?: PlannedTarget['exclude']): PlannedTarget => ({
  target: { id: 's', logstore: store('s'), domain: 'd', env: 'prod', ...over },
  rank: 0,
  ...(exclude ? { exclude } : {}),
});
const filterOf = (keywords = ''): EventFilter => ({ from: 0, to: 10_000, keywords: parseKeywords(keywords) });

function events(n: number, every = 1): LogEvent[] {
  return Array.from({ length: n }, (_, i) => ev(100 + i, { message: i % every === 0 ? `hit ${i}` : `miss ${i}` }));
}

/** Reads as the fan-out does: the range narrowed to what the position leaves. */
function read(adapter: FakeAdapter, opts: { need: number; from?: Position; filter?: EventFilter; order?: Order; target?: PlannedTarget; maxScanRows?: number }): Promise<TargetRead> {
  const target = opts.target ?? planned();
  const order = opts.order ?? 'desc';
  const state = { range: { from: 0, to: 0 }, positions: new Map(opts.from ? [['s', opts.from]] : []), exhausted: new Set<string>(), unbounded: new Set<string>() };
  const wide = opts.filter ?? filterOf();
  const range = resumeRange(wide, order, state, 's');
  if (!range) return Promise.resolve({ hits: [], done: true, scanned: 0 });
  const filter = { ...wide, ...range };
  const { matches, filtersMore } = localFilter(adapter.capabilities, target, filter);
  return readTarget({
    adapter,
    planned: target,
    filter,
    order,
    from: opts.from,
    need: opts.need,
    maxScanRows: opts.maxScanRows ?? 1000,
    signal: new AbortController().signal,
    matches,
    filtersMore,
  });
}

/** Reads a target to its end, consuming every hit each time, as the merge would for one target. */
async function walk(adapter: FakeAdapter, need: number, filter?: EventFilter, order: Order = 'desc', maxScanRows = 1000) {
  const seen: number[] = [];
  let from: Position | undefined;
  for (let round = 0; round < 200; round++) {
    const r = await read(adapter, { need, from, filter, order, maxScanRows });
    seen.push(...r.hits.map((h) => h.event.ts));
    if (r.done) return seen;
    from = r.frontier;
  }
  throw new Error('did not finish');
}

const modes: Array<[string, AdapterCapabilities, FakeAdapterOptions?]> = [
  ['sorts and pages', ALL_PUSHDOWN],
  ['sorts and pages, filters nothing', NO_PUSHDOWN],
  ['sorts and pages, 7 rows at most per call', NO_PUSHDOWN, { maxPage: 7 }],
  ['sorts, no paging', { ...NO_PUSHDOWN, pages: false }],
  ['no sorting, pages', { ...NO_PUSHDOWN, sorts: false }],
  ['no sorting, no paging', { ...NO_PUSHDOWN, sorts: false, pages: false }],
];

describe('readTarget', () => {
  for (const [name, capabilities, extra] of modes) {
    it(`${name}: walks every matching event once, in order`, async () => {
      const adapter = new FakeAdapter({ capabilities, ...extra }).add('s', events(60, 3));
      const expected = events(60, 3).filter((e) => e.message.startsWith('hit')).map((e) => e.ts);
      expect(await walk(adapter, 5, filterOf('hit'))).toEqual([...expected].reverse());
      expect(await walk(adapter, 4, filterOf('hit'), 'asc')).toEqual(expected);
    });
  }

  it('asks for no more than a page when the backend filters everything itself', async () => {
    const adapter = new FakeAdapter().add('s', events(50));
    const r = await read(adapter, { need: 10 });
    expect(r.hits.map((h) => h.event.ts)).toEqual([149, 148, 147, 146, 145, 144, 143, 142, 141, 140]);
    expect(r.done).toBe(false);
    expect(r.frontier).toEqual({ pos: r.hits[9]!.pos, ts: 140 });
    expect(adapter.calls.map((c) => c.limit)).toEqual([10]);
  });

  it('reads ahead and keeps asking while the gateway filters rows out', async () => {
    const adapter = new FakeAdapter({ capabilities: NO_PUSHDOWN, maxPage: 20 }).add('s', events(100, 10));
    const r = await read(adapter, { need: 3, filter: filterOf('hit') });
    expect(r.hits.map((h) => h.event.ts)).toEqual([190, 180, 170, 160]);
    expect(adapter.calls.length).toBe(2);
    expect(adapter.calls[1]!.after).toBe('180:80');
    expect(r.frontier?.ts).toBe(160);
  });

  it('stops at maxScanRows and reports where it stopped', async () => {
    const adapter = new FakeAdapter({ capabilities: NO_PUSHDOWN }).add('s', events(100, 50));
    const r = await read(adapter, { need: 5, filter: filterOf('hit'), maxScanRows: 30 });
    expect(r).toMatchObject({ done: false, scanned: 30, frontier: { ts: 170 } });
    expect(r.hits.map((h) => h.event.ts)).toEqual([]);
    expect(await walk(adapter, 5, filterOf('hit'), 'desc', 30)).toEqual([150, 100]);
  });

  it('without paging, resumes after its position even when newer rows were added before it', async () => {
    const adapter = new FakeAdapter({ capabilities: { ...ALL_PUSHDOWN, pages: false } }).add('s', events(20));
    const first = await read(adapter, { need: 5 });
    expect(first.hits.map((h) => h.event.ts)).toEqual([119, 118, 117, 116, 115]);
    adapter.add('s', [ev(500), ev(501), ev(502)]);
    const second = await read(adapter, { need: 5, from: first.frontier });
    expect(second.hits.map((h) => h.event.ts)).toEqual([114, 113, 112, 111, 110]);
    expect(adapter.calls.at(-1)!.after).toBeUndefined();
  });

  it('applies apps, files and exclusions the adapter cannot, and exclusions always', async () => {
    const rows = [ev(1, { app: 'a' }), ev(2, { app: 'b' }), ev(3, { app: 'b', file: 'err.log' }), ev(4, { app: 'c' })];
    const target = planned({ apps: ['a', 'b'] }, [{ app: 'b', file: 'err.log' }]);
    const local = await read(new FakeAdapter({ capabilities: NO_PUSHDOWN }).add('s', rows), { need: 10, target });
    expect(local.hits.map((h) => h.event.ts)).toEqual([2, 1]);
    const pushed = await read(new FakeAdapter({ capabilities: ALL_PUSHDOWN }).add('s', rows), { need: 10, target: planned({}, [{ app: 'c' }]) });
    expect(pushed.hits.map((h) => h.event.ts)).toEqual([3, 2, 1]);
  });

  it('treats an empty page that claims more as the end, so it cannot loop', async () => {
    const adapter = new FakeAdapter();
    adapter.search = async () => ({ hits: [], done: false });
    expect(await read(adapter, { need: 3 })).toEqual({ hits: [], done: true, scanned: 0 });
  });

  it('says when a backend that does not sort had more rows than it could read', async () => {
    const adapter = new FakeAdapter({ capabilities: { ...NO_PUSHDOWN, sorts: false } }).add('s', events(40));
    const r = await read(adapter, { need: 5, maxScanRows: 20 });
    expect(r.note).toMatch(/does not sort/);
    expect(r.hits).toHaveLength(5);
  });
});
