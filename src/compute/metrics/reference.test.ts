// The aggregator against a naive reference written from the rule semantics: group every accepted
// event by window and key, then fold each group's values. Covers 0 to 3 key fields, top-level and
// parsed fields, names Object.prototype also has, numeric strings, missing and unusable values,
// where-filters, series caps and batches, so a faster per-event path is checked against it.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../../core/event.js';
import { createMetricAggregator } from './aggregator.js';
import { at, sorted } from './test-events.js';
import type { MetricRow } from './row.js';

const T0 = at('08:00:00');
const TOP = new Set(['ts', 'domain', 'env', 'app', 'file', 'host', 'level', 'traceId', 'message']);

const read = (e: LogEvent, f: string): unknown => {
  if (TOP.has(f)) return (e as unknown as Record<string, unknown>)[f];
  const k = f.startsWith('fields.') ? f.slice(7) : f;
  return e.fields !== undefined && Object.hasOwn(e.fields, k) ? e.fields[k] : undefined;
};
const text = (v: unknown): string => (v == null ? '' : String(v));
const num = (v: unknown): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
};

interface Agg {
  as: string;
  fn: 'count' | 'sum' | 'max' | 'min' | 'avg' | 'distinct_values' | 'distinct_count' | 'value';
  field?: string;
}

function reference(groupBy: string[], aggs: Agg[], keep: (e: LogEvent) => boolean, events: Array<{ e: LogEvent; p: number; o: number }>, periodMs: number): MetricRow[] {
  const groups = new Map<string, { start: number; key: Record<string, string>; evs: Array<{ e: LogEvent; p: number; o: number }> }>();
  for (const x of events) {
    if (!keep(x.e)) continue;
    const start = Math.floor(x.e.ts / periodMs) * periodMs;
    const key: Record<string, string> = {};
    for (const f of groupBy) key[f] = text(read(x.e, f));
    const id = `${start}|${JSON.stringify(key)}`;
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { start, key, evs: [] }));
    g.evs.push(x);
  }
  return [...groups.values()].map((g) => {
    const values: Record<string, number | string> = {};
    for (const a of aggs) {
      const raw = g.evs.map((x) => read(x.e, a.field ?? ''));
      const nums = raw.map(num).filter((n): n is number => n !== undefined);
      const texts = [...new Set(raw.filter((v) => v != null && v !== '').map(text))].sort();
      let v: number | string | undefined;
      if (a.fn === 'count') v = g.evs.length;
      else if (a.fn === 'sum') v = nums.reduce((s, n) => s + n, 0);
      else if (a.fn === 'max') v = nums.length ? Math.max(...nums) : undefined;
      else if (a.fn === 'min') v = nums.length ? Math.min(...nums) : undefined;
      else if (a.fn === 'avg') v = nums.length ? nums.reduce((s, n) => s + n, 0) / nums.length : undefined;
      else if (a.fn === 'distinct_values') v = texts.length ? texts.join(',') : '';
      else if (a.fn === 'distinct_count') v = texts.length;
      else {
        const first = g.evs.filter((x) => read(x.e, a.field!) != null).sort((x, y) => x.e.ts - y.e.ts || x.p - y.p || x.o - y.o)[0];
        const fv = first === undefined ? undefined : read(first.e, a.field!);
        v = fv === undefined ? undefined : typeof fv === 'number' ? fv : text(fv);
      }
      if (v !== undefined) values[a.as] = v;
    }
    return { ruleId: 'ref', windowStart: g.start, windowEnd: g.start + periodMs, label: g.start + periodMs, key: g.key, values };
  });
}

// Values a field may hold: numbers, numeric and other strings, blanks, booleans, non-finite, null.
const valueArb = fc.constantFrom<unknown>(0, 1, 7, -3, 2.5, 1000, '12', ' 4 ', 'x', '', 'a,b', true, null, Number.NaN, Number.POSITIVE_INFINITY, undefined);
const eventArb = fc.record({
  ms: fc.integer({ min: 0, max: 179_999 }),
  app: fc.constantFrom('pay', 'shop', 'user'),
  host: fc.option(fc.constantFrom('h1', 'h2', '10.0.0.1'), { nil: undefined }),
  level: fc.constantFrom('INFO', 'ERROR'),
  intf: fc.option(fc.constantFrom('a', 'b', 'c', 1, 2), { nil: undefined }),
  cost: valueArb,
  ctor: fc.option(fc.constantFrom('k1', 'k2', 5), { nil: undefined }),
  partition: fc.integer({ min: 0, max: 2 }),
});
type Raw = typeof eventArb extends fc.Arbitrary<infer T> ? T : never;

function toEvent(r: Raw): LogEvent {
  const fields: Record<string, unknown> = { cost: r.cost, ...(r.ctor !== undefined && { constructor: r.ctor }) };
  if (r.intf !== undefined) fields.intf = r.intf;
  return { ts: T0 + r.ms, domain: 'd', env: 'prod', app: r.app, file: 'f', host: r.host, level: r.level, message: 'm', fields };
}

const AGGS: Agg[] = [
  { as: 'n', fn: 'count' },
  { as: 'sum', fn: 'sum', field: 'cost' },
  { as: 'max', fn: 'max', field: 'cost' },
  { as: 'min', fn: 'min', field: 'fields.cost' },
  { as: 'avg', fn: 'avg', field: 'cost' },
  { as: 'dv', fn: 'distinct_values', field: 'intf' },
  { as: 'dc', fn: 'distinct_count', field: 'host' },
  { as: 'first', fn: 'value', field: 'cost' },
  { as: 'ctor', fn: 'max', field: 'constructor' },
];

const GROUPINGS = [[], ['app'], ['intf'], ['constructor'], ['app', 'host'], ['intf', 'app'], ['app', 'intf', 'host'], ['level', 'app', 'intf', 'constructor']];

const WHERES: Array<{ where: Array<{ field: string; op: string; value: string | number }>; keep: (e: LogEvent) => boolean }> = [
  { where: [], keep: () => true },
  { where: [{ field: 'level', op: '=', value: 'ERROR' }], keep: (e) => e.level === 'ERROR' },
  {
    where: [
      { field: 'cost', op: '>=', value: 2 },
      { field: 'intf', op: 'in', value: 'a,1' },
    ],
    keep: (e) => (num(read(e, 'cost')) ?? -1) >= 2 && ['a', '1'].includes(text(read(e, 'intf'))) && read(e, 'intf') != null,
  },
];

describe('the aggregator against a naive reference', () => {
  for (const groupBy of GROUPINGS) {
    it(`groups by [${groupBy.join(', ')}] as the reference does, pushed one by one or in batches`, () => {
      fc.assert(
        fc.property(fc.array(eventArb, { maxLength: 150 }), fc.integer({ min: 0, max: WHERES.length - 1 }), fc.constantFrom(1, 3), fc.boolean(), (raw, wi, minutes, batched) => {
          const { where, keep } = WHERES[wi]!;
          const rule = { id: 'ref', period: `${minutes}m`, groupBy, where, aggregations: AGGS };
          const agg = createMetricAggregator(rule);
          const evs = raw.map((r, o) => ({ e: toEvent(r), p: r.partition, o }));
          if (batched) for (const p of [0, 1, 2]) agg.pushBatch(evs.filter((x) => x.p === p).map((x) => x.e), p, evs.filter((x) => x.p === p).map((x) => x.o));
          else for (const x of evs) agg.push(x.e, x.p, x.o);
          const want = reference(groupBy, AGGS, keep, evs, minutes * 60_000);
          const st = agg.stats();
          expect(st.received).toBe(evs.length);
          expect(st.accepted).toBe(evs.filter((x) => keep(x.e)).length);
          expect(sorted(agg.flush())).toEqual(sorted(want));
        }),
        { seed: 20240302, numRuns: 60 },
      );
    });
  }

  it('keeps the series cap per window whatever the number of key fields', () => {
    const agg = createMetricAggregator({ id: 'cap', period: '1m', groupBy: ['app', 'intf', 'host'], maxSeries: 3, aggregations: [{ as: 'n', fn: 'count' }, { as: 's', fn: 'sum', field: 'cost' }] });
    const ev = (app: string, intf: string, cost: number, ms = 1000): LogEvent => ({ ts: T0 + ms, domain: 'd', env: 'e', app, file: 'f', host: 'h', message: '', fields: { intf, cost } });
    const res = [ev('a', 'x', 1), ev('a', 'y', 2), ev('b', 'x', 3), ev('b', 'y', 4), ev('a', 'x', 5), ev('c', 'z', 6, 61_000)].map((e) => agg.push(e));
    expect(res).toEqual(['accepted', 'accepted', 'accepted', 'dropped', 'accepted', 'accepted']);
    expect(sorted(agg.flush()).map((r) => [r.key, r.values])).toEqual([
      [{ app: 'a', intf: 'x', host: 'h' }, { n: 2, s: 6 }],
      [{ app: 'a', intf: 'y', host: 'h' }, { n: 1, s: 2 }],
      [{ app: 'b', intf: 'x', host: 'h' }, { n: 1, s: 3 }],
      [{ app: 'c', intf: 'z', host: 'h' }, { n: 1, s: 6 }],
    ]);
  });
});
