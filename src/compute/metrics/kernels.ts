// One kernel per aggregation: how a series' state starts, takes an event, merges with a partial
// from another instance, travels as JSON (partials, checkpoints) and ends as a value. Merging is
// exact for every kernel, so two-phase aggregation gives the same rows as one aggregator.
// The numeric kernels (count, sum, max, min, avg) keep their state as numbers in the slots of a
// window's column store and take events through foldNumber, one function for all of them, so
// the per-event path makes no call through a kernel object and allocates nothing.

import type { LogEvent } from '../../core/event.js';
import { toNumber } from '../expr/conditions.js';
import { eventGetter, textOf } from './event-field.js';
import { parseTopNSpec, type Aggregation, type TopNSpec, type WhereClause } from './schema.js';

export interface Expansion {
  extraKey: Record<string, string>;
  value: number;
}

export interface Kernel<S = any> {
  readonly as: string;
  /** Slots of a series' numeric state (count, sum, max, min 1; avg 2); 0 for state kept as an object. */
  readonly width: number;
  /** For numeric kernels: how foldNumber folds a value in (one of FOLD), and the field it reads. */
  readonly fold?: number;
  readonly field?: string;
  init(): S;
  /** Object kernels: takes an event; false when it carries no usable value for this aggregation. */
  add?(s: S, ev: LogEvent, partition: number, offset: number): boolean;
  /** Numeric kernels: the state kept in slots at..at+width-1, and back. */
  load?(slots: Float64Array, at: number): S;
  store?(slots: Float64Array, at: number, s: S): void;
  merge(into: S, from: S): void;
  encode(s: S): unknown;
  decode(j: unknown): S;
  /** The row value; undefined leaves it out of the row (a max over no numbers). */
  result(s: S): number | string | undefined;
  /** Set by aggregations that emit several rows per group (ratio, TopN). */
  expand?(s: S): Expansion[];
}

/** How foldNumber takes a value into a numeric kernel's slots. */
export const FOLD = { count: 0, sum: 1, max: 2, min: 3, avg: 4 } as const;

/**
 * Folds one event's value of the kernel's field into its slots; false when the value is not a
 * usable number (count takes every event). The per-event path of every numeric kernel.
 */
export function foldNumber(fold: number, slots: Float64Array, at: number, value: unknown): boolean {
  if (fold === FOLD.count) {
    slots[at]++;
    return true;
  }
  const n = typeof value === 'number' ? (Number.isFinite(value) ? value : undefined) : toNumber(value);
  if (n === undefined) return false;
  if (fold === FOLD.sum) slots[at] += n;
  else if (fold === FOLD.max) {
    if (n > slots[at]!) slots[at] = n;
  } else if (fold === FOLD.min) {
    if (n < slots[at]!) slots[at] = n;
  } else {
    slots[at] += n;
    slots[at + 1]++;
  }
  return true;
}

type Num = { v: number };

function numeric(as: string, field: string, fold: number, init: number, merge: (a: number, b: number) => number): Kernel<Num> {
  return {
    as,
    width: 1,
    fold,
    field,
    init: () => ({ v: init }),
    load: (slots, at) => ({ v: slots[at]! }),
    store: (slots, at, s) => void (slots[at] = s.v),
    merge: (into, from) => void (into.v = merge(into.v, from.v)),
    encode: (s) => s.v,
    decode: (j) => ({ v: j === null ? init : (j as number) }),
    result: (s) => (Number.isFinite(s.v) ? s.v : undefined),
  };
}

const count = (as: string): Kernel<Num> => ({
  as,
  width: 1,
  fold: FOLD.count,
  init: () => ({ v: 0 }),
  load: (slots, at) => ({ v: slots[at]! }),
  store: (slots, at, s) => void (slots[at] = s.v),
  merge: (into, from) => void (into.v += from.v),
  encode: (s) => s.v,
  decode: (j) => ({ v: j as number }),
  result: (s) => s.v,
});

type Avg = { sum: number; n: number };
function avg(as: string, field: string): Kernel<Avg> {
  return {
    as,
    width: 2,
    fold: FOLD.avg,
    field,
    init: () => ({ sum: 0, n: 0 }),
    load: (slots, at) => ({ sum: slots[at]!, n: slots[at + 1]! }),
    store: (slots, at, s) => {
      slots[at] = s.sum;
      slots[at + 1] = s.n;
    },
    merge: (into, from) => {
      into.sum += from.sum;
      into.n += from.n;
    },
    encode: (s) => [s.sum, s.n],
    decode: (j) => ({ sum: (j as number[])[0]!, n: (j as number[])[1]! }),
    result: (s) => (s.n === 0 ? undefined : s.sum / s.n),
  };
}

function distinct(as: string, field: string, asList: boolean): Kernel<Set<string>> {
  const get = eventGetter(field);
  return {
    as,
    width: 0,
    init: () => new Set<string>(),
    add(s, ev) {
      const v = get(ev);
      if (v == null || v === '') return false;
      s.add(textOf(v));
      return true;
    },
    merge: (into, from) => {
      for (const v of from) into.add(v);
    },
    encode: (s) => [...s].sort(),
    decode: (j) => new Set(j as string[]),
    result: (s) => (asList ? [...s].sort().join(',') : s.size),
  };
}

/**
 * "value": one event stands for its group. Without a pick it is the group's first event in
 * event time (ties broken by partition and offset, so every instance agrees); with an eq_max /
 * eq_min filter it is the event whose pick field is the largest / smallest.
 */
type Picked = { v: unknown; sel: number; ts: number; p: number; o: number };
function value(as: string, field: string, pick: WhereClause | undefined): Kernel<{ cur: Picked | undefined }> {
  const get = eventGetter(field);
  const sel = pick ? eventGetter(pick.field) : undefined;
  const sign = pick?.op === 'eq_min' ? -1 : 1;
  const beats = (sel: number, ts: number, p: number, o: number, b: Picked | undefined): boolean => {
    if (b === undefined) return true;
    if (sel !== b.sel) return sel > b.sel;
    return ts !== b.ts ? ts < b.ts : p !== b.p ? p < b.p : o < b.o;
  };
  return {
    as,
    width: 0,
    init: () => ({ cur: undefined }),
    add(s, ev, p, o) {
      const v = get(ev);
      if (v == null) return false;
      let score = 0;
      if (sel) {
        const n = toNumber(sel(ev));
        if (n === undefined) return false;
        score = sign * n;
      }
      if (beats(score, ev.ts, p, o, s.cur)) s.cur = { v, sel: score, ts: ev.ts, p, o };
      return true;
    },
    merge: (into, from) => {
      const f = from.cur;
      if (f !== undefined && beats(f.sel, f.ts, f.p, f.o, into.cur)) into.cur = f;
    },
    encode: (s) => s.cur ?? null,
    decode: (j) => ({ cur: j === null ? undefined : (j as Picked) }),
    result: (s) => (s.cur === undefined ? undefined : typeof s.cur.v === 'number' ? s.cur.v : textOf(s.cur.v)),
  };
}

/** Ratio per enum value of a field: count of each value over the group's count. */
function ratio(as: string, field: string): Kernel<Map<string, number>> {
  const get = eventGetter(field);
  return {
    as,
    width: 0,
    init: () => new Map<string, number>(),
    add(s, ev) {
      const v = textOf(get(ev));
      s.set(v, (s.get(v) ?? 0) + 1);
      return true;
    },
    merge: (into, from) => {
      for (const [v, n] of from) into.set(v, (into.get(v) ?? 0) + n);
    },
    encode: (s) => [...s].sort((a, b) => (a[0] < b[0] ? -1 : 1)),
    decode: (j) => new Map(j as Array<[string, number]>),
    result: () => undefined,
    expand(s) {
      let total = 0;
      for (const n of s.values()) total += n;
      return [...s].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([v, n]) => ({ extraKey: { [field]: v }, value: n / total }));
    },
  };
}

/**
 * TopN of events by a value field, each shown by a display field: rank 1 is the largest value.
 * It ranks events, not per-display totals (the reference platform's definition); ties go to the
 * earlier event so every instance ranks alike.
 */
type Entry = [value: number, display: string, ts: number, p: number, o: number];
function topn(as: string, spec: TopNSpec): Kernel<Entry[]> {
  const getValue = eventGetter(spec.valueField);
  const getDisplay = eventGetter(spec.displayField);
  const before = (a: Entry, b: Entry) => (a[0] !== b[0] ? a[0] > b[0] : a[2] !== b[2] ? a[2] < b[2] : a[3] !== b[3] ? a[3] < b[3] : a[4] < b[4]);
  const insert = (list: Entry[], e: Entry) => {
    if (list.length === spec.n && !before(e, list[list.length - 1]!)) return;
    let i = list.length;
    while (i > 0 && before(e, list[i - 1]!)) i--;
    list.splice(i, 0, e);
    if (list.length > spec.n) list.pop();
  };
  return {
    as,
    width: 0,
    init: () => [],
    add(s, ev, p, o) {
      const n = toNumber(getValue(ev));
      if (n === undefined) return false;
      // Most events do not make a full list: check against the last entry before allocating one.
      const last = s.length === spec.n ? s[s.length - 1]! : undefined;
      if (last !== undefined && (n < last[0] || (n === last[0] && ev.ts > last[2]))) return true;
      insert(s, [n, textOf(getDisplay(ev)), ev.ts, p, o]);
      return true;
    },
    merge: (into, from) => {
      for (const e of from) insert(into, e);
    },
    encode: (s) => s,
    decode: (j) => (j as Entry[]).slice(),
    result: () => undefined,
    expand: (s) => s.map((e, i) => ({ extraKey: { [spec.displayField]: e[1], rank: String(i + 1) }, value: e[0] })),
  };
}

export function createKernel(a: Aggregation, pick: WhereClause | undefined): Kernel {
  const f = a.field!;
  switch (a.fn) {
    case 'count':
      return count(a.as);
    case 'sum':
      return numeric(a.as, f, FOLD.sum, 0, (x, y) => x + y);
    case 'max':
      return numeric(a.as, f, FOLD.max, Number.NEGATIVE_INFINITY, (x, y) => (y > x ? y : x));
    case 'min':
      return numeric(a.as, f, FOLD.min, Number.POSITIVE_INFINITY, (x, y) => (y < x ? y : x));
    case 'avg':
      return avg(a.as, f);
    case 'distinct_values':
      return distinct(a.as, f, true);
    case 'distinct_count':
      return distinct(a.as, f, false);
    case 'value':
      return value(a.as, f, pick);
    case 'ratio':
      return ratio(a.as, f);
    case 'topn':
      return topn(a.as, parseTopNSpec(f) as TopNSpec);
  }
}
