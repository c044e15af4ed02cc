// End to end through the composed chain: mixed layouts over several fake backends — one that
// filters nothing, one that does not page, one that does not sort, a slow one, a failing one
// whose circuit opens, one that hangs until its timeout — walked page by page via `after`.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LogEvent } from '../core/event.js';
import { LogfedError } from '../errors/index.js';
import { registry } from '../observe/metrics.js';
import { createQueryEngine, type QueryEngine } from './chain.js';
import { compileFilter, parseKeywords } from './match.js';
import type { QueryContext, SearchInput, SearchResult, SourceState } from './request.js';
import { ALL_PUSHDOWN, ev, FakeAdapter, fakeTopology, NO_PUSHDOWN, store } from './testing.js';

const NOW = 10_000_000;
const FROM = NOW - 3600_000;

// Which store holds which events: ts are unique across stores, so the expected order is total.
const layout = [
  store('shop-prod', { domain: 'shop', layout: 'env', backend: 'files' }),
  store('shop-prod-pay', { domain: 'shop', layout: 'app', app: 'pay', backend: 'sql' }),
  store('ops-api', { domain: 'ops', layout: 'app', app: 'api', backend: 'sql' }),
  store('ops-web', { domain: 'ops', layout: 'app', app: 'web', backend: 'slow' }),
  store('ops-flaky', { domain: 'ops', layout: 'app', app: 'flaky', backend: 'broken' }),
  store('data-etl-run', { domain: 'data', layout: 'file', app: 'etl', file: 'run.log', backend: 'nopage' }),
  store('data-etl-audit', { domain: 'data', layout: 'file', app: 'etl', file: 'audit.log', backend: 'unsorted' }),
  store('data-etl-err', { domain: 'data', layout: 'file', app: 'etl', file: 'err.log', backend: 'hang' }),
  store('data-etl-old', { domain: 'data', layout: 'file', app: 'etl', file: 'old.log', backend: 'sql', maxTs: FROM - 1 }),
  // Holds only the oldest events: it is read on every page but consumed only at the end.
  store('ops-batch', { domain: 'ops', layout: 'app', app: 'batch', backend: 'sql' }),
];
const BATCH = layout.length - 1;

function eventsFor(i: number, count: number, base = FROM): LogEvent[] {
  const s = layout[i]!;
  if (i === BATCH && base === FROM) {
    return Array.from({ length: 5 }, (_, k) => ev(FROM + 2 + k * 10, { domain: 'ops', app: 'batch', message: `order ops-batch#${k}` }));
  }
  return Array.from({ length: count }, (_, k) => {
    const app = s.app ?? (k % 4 === 0 ? 'pay' : k % 2 ? 'cart' : 'search');
    return ev(base + 1 + (k * layout.length + i) * 1000, {
      domain: s.domain,
      app,
      file: s.file ?? 'app.log',
      level: k % 3 === 0 ? 'ERROR' : 'INFO',
      message: `${k % 5 === 0 ? 'health check' : 'order'} ${s.id}#${k}`,
    });
  });
}

let adapters: Record<string, FakeAdapter>;
let engine: QueryEngine;

function setup(): void {
  adapters = {
    files: new FakeAdapter({ capabilities: NO_PUSHDOWN, maxPage: 9 }),
    sql: new FakeAdapter({ capabilities: ALL_PUSHDOWN }),
    slow: new FakeAdapter({ gate: () => new Promise((r) => setTimeout(r, 300)) }),
    broken: new FakeAdapter({ fail: () => new LogfedError('BACKEND_ERROR', 'disk on fire') }),
    nopage: new FakeAdapter({ capabilities: { ...ALL_PUSHDOWN, pages: false } }),
    unsorted: new FakeAdapter({ capabilities: { ...NO_PUSHDOWN, sorts: false } }),
    hang: new FakeAdapter({ honoursSignal: false, gate: () => new Promise(() => {}) }),
  };
  layout.forEach((s, i) => adapters[s.backend]!.add(s.id, eventsFor(i, 30)));
  engine = createQueryEngine({ now: () => NOW, breaker: { failures: 2, coolDownMs: 3600_000 }, limits: { targetTimeoutMs: 1000 } });
}

const ctx = (signal?: AbortSignal): QueryContext => ({ topology: fakeTopology(layout), adapters: (b) => adapters[b], signal });

async function search(input: SearchInput, c = ctx()): Promise<SearchResult> {
  const p = engine.search(c, input);
  p.catch(() => undefined);
  await vi.runAllTimersAsync();
  return p;
}

/** Every event the healthy stores hold that the query matches, in page order. */
function expected(input: SearchInput, extra: LogEvent[] = []): LogEvent[] {
  const healthy = ['shop-prod', 'shop-prod-pay', 'ops-api', 'ops-web', 'data-etl-run', 'data-etl-audit', 'ops-batch'];
  const filter = compileFilter({ from: input.from ?? FROM, to: input.to ?? NOW, keywords: parseKeywords(input.keywords), levels: input.levels });
  const all = layout.flatMap((s, i) => (healthy.includes(s.id) ? eventsFor(i, 30) : []));
  // The env logstore's "pay" events are served by the pay logstore: the same logs, not searched twice.
  const list = [...all.filter((e) => !(e.message.includes('shop-prod#') && e.app === 'pay')), ...extra].filter(filter);
  return list.sort((a, b) => (input.order === 'asc' ? a.ts - b.ts : b.ts - a.ts));
}

async function walk(input: SearchInput, between?: (page: number) => void) {
  const seen: LogEvent[] = [];
  const statuses: Array<Record<string, SourceState>> = [];
  let after: string | undefined;
  for (let page = 0; page < 100; page++) {
    const r = await search({ ...input, ...(after ? { after } : {}) });
    seen.push(...r.edges.map((e) => e.event));
    statuses.push(Object.fromEntries(r.sources.map((s) => [s.logstore, s.status])));
    if (r.edges.length) expect(r.pageInfo.endCursor).toBe(r.edges.at(-1)!.cursor);
    if (!r.pageInfo.hasNextPage) return { seen, statuses };
    after = r.pageInfo.endCursor;
    between?.(page);
  }
  throw new Error('paging did not end');
}

describe('query engine, end to end', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    setup();
  });
  afterEach(() => vi.useRealTimers());

  it('answers the first page in time order with a status per source', async () => {
    const r = await search({ keywords: 'order', first: 10 });
    const ts = r.edges.map((e) => e.event.ts);
    expect(ts).toEqual([...ts].sort((a, b) => b - a));
    expect(r.edges.map((e) => e.event.message)).toEqual(expected({ keywords: 'order' }).slice(0, 10).map((e) => e.message));
    expect(Object.fromEntries(r.sources.map((s) => [s.logstore, s.status]))).toEqual({
      'data-etl-audit': 'OK',
      'data-etl-err': 'TIMEOUT',
      'data-etl-old': 'SKIPPED',
      'data-etl-run': 'OK',
      'ops-api': 'OK',
      'ops-batch': 'OK',
      'ops-flaky': 'ERROR',
      'ops-web': 'OK',
      'shop-prod': 'OK',
      'shop-prod-pay': 'OK',
    });
    expect(r.sources.find((s) => s.logstore === 'ops-flaky')!.error).toBe('disk on fire');
    expect(r.pageInfo.hasNextPage).toBe(true);
  });

  it('walks every page with no duplicate and no gap, and the failing circuit opens on the way', async () => {
    const input: SearchInput = { keywords: 'order', levels: ['ERROR', 'INFO'], first: 7 };
    const { seen, statuses } = await walk(input);
    expect(seen.map((e) => e.message)).toEqual(expected(input).map((e) => e.message));
    expect(statuses[0]!['ops-flaky']).toBe('ERROR');
    expect(statuses[1]!['ops-flaky']).toBe('ERROR');
    expect(statuses[2]!['ops-flaky']).toBe('SKIPPED');
    expect(adapters.broken!.calls).toHaveLength(2);
  });

  it('walks ascending the same way', async () => {
    const input: SearchInput = { keywords: '-health', order: 'asc', first: 11 };
    const { seen } = await walk(input);
    expect(seen.map((e) => e.message)).toEqual(expected(input).map((e) => e.message));
  });

  it('newer events that arrive while paging back in time neither repeat nor slip in out of order', async () => {
    const input: SearchInput = { keywords: 'order', first: 6 };
    const into = [0, 2, 3, 6, BATCH];
    let arrived = 0;
    const { seen } = await walk(input, (page) => {
      for (const i of into) {
        const fresh = ev(NOW - 100_000 + page * 100 + i, { ...layout[i]!, app: layout[i]!.app ?? 'cart', message: `order new ${page}/${i}` });
        adapters[layout[i]!.backend]!.add(layout[i]!.id, [fresh]);
        arrived++;
      }
    });
    expect(arrived).toBeGreaterThan(20);
    expect(seen.map((e) => e.message)).toEqual(expected(input).map((e) => e.message));
  });

  it('events that arrive while paging forward into the future show up at the end, once', async () => {
    const input: SearchInput = { keywords: 'order', order: 'asc', from: FROM, to: NOW + 3600_000, first: 9 };
    const late: LogEvent[] = [];
    const { seen } = await walk(input, (page) => {
      if (page % 2) return;
      for (const i of [0, 2, 5]) {
        const [e] = eventsFor(i, 1, NOW + page * 10_000);
        const fresh = { ...e!, app: i === 0 ? 'cart' : e!.app, message: `order late ${page}/${i}` };
        late.push(fresh);
        adapters[layout[i]!.backend]!.add(layout[i]!.id, [fresh]);
      }
    });
    expect(late.length).toBeGreaterThan(0);
    expect(seen.map((e) => e.message)).toEqual(expected(input, late).map((e) => e.message));
  });

  it('refuses unknown names and foreign cursors as BAD_USER_INPUT', async () => {
    await expect(search({ domains: ['ops', 'nope'], apps: ['ghost'] })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      details: { unknownDomains: ['nope'], unknownApps: ['ghost'] },
    });
    const r = await search({ keywords: 'order', first: 5 });
    await expect(search({ keywords: 'other', after: r.pageInfo.endCursor })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('an aborted request ends as CANCELLED without waiting for its sources', async () => {
    const ac = new AbortController();
    const p = engine.search(ctx(ac.signal), { keywords: 'order' });
    const outcome = p.catch((e: LogfedError) => e.code);
    await vi.advanceTimersByTimeAsync(1);
    ac.abort();
    await vi.advanceTimersByTimeAsync(1);
    expect(await outcome).toBe('CANCELLED');
  });

  it('counts target queries per backend and status, and queries by outcome', async () => {
    const count = async (name: string, labels: Record<string, string>) =>
      ((await registry.getSingleMetric(name)?.get())?.values ?? []).find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value ?? 0;
    const before = {
      timeout: await count('logfed_query_targets_total', { backend: 'hang', status: 'TIMEOUT' }),
      skipped: await count('logfed_query_targets_total', { backend: 'sql', status: 'SKIPPED' }),
      partial: await count('logfed_queries_total', { outcome: 'partial' }),
    };
    await search({ keywords: 'order', first: 3 });
    expect(await count('logfed_query_targets_total', { backend: 'hang', status: 'TIMEOUT' })).toBe(before.timeout + 1);
    expect(await count('logfed_query_targets_total', { backend: 'sql', status: 'SKIPPED' })).toBe(before.skipped + 1);
    expect(await count('logfed_queries_total', { outcome: 'partial' })).toBe(before.partial + 1);
  });

  it('hands each answer to the after hooks', async () => {
    const seen: number[] = [];
    engine.onAnswered((_c, _i, res) => void seen.push(res.edges.length));
    await search({ keywords: 'order', first: 4 });
    expect(seen).toEqual([4]);
  });
});

describe('query engine options', () => {
  it('refuses limits that are not whole numbers or not known, naming them', async () => {
    expect(() => createQueryEngine({ limits: { maxFirst: 0 } })).toThrow('engine option limits.maxFirst must be an integer >= 1, got 0');
    expect(() => createQueryEngine({ limits: { maxFrist: 5 } as object })).toThrow(/unknown limit maxFrist/);
    const engine = createQueryEngine();
    await expect(engine.search({ topology: fakeTopology([]), adapters: () => undefined, limits: { retries: -1 } }, {})).rejects.toThrow(/context limits.retries/);
  });
});
