// The simple metric stage: takes log events, groups them by the rule's key fields in
// clock-aligned windows and emits one metric row per group (several for ratio and TopN) when
// the watermark closes a window. Pure and synchronous; the task runner supplies events, their
// partition and offset, and the watermark, and takes rows, late events and storms back.

import type { LogEvent } from '../../core/event.js';
import { allOf, compileCondition, type Condition } from '../expr/conditions.js';
import { periodToMs, windowStartOf, type SeriesStorm } from '../windows/index.js';
import { WindowSet } from '../windows/window-set.js';
import { eventGetter, fieldRef, readField, textOf, type FieldRef } from './event-field.js';
import { createKernel, foldNumber, type Kernel } from './kernels.js';
import { SeriesLayout, type SeriesColumns, type SeriesWindow } from './series-store.js';
import type { MetricRow } from './row.js';
import { EXPANDING, PICK_OPS, validateMetricRule, type MetricRule } from './schema.js';
import { badInput } from '../../errors/index.js';

/** What became of a pushed event: counted into a window, filtered out, too late, or refused by the series cap. */
export type PushResult = 'accepted' | 'filtered' | 'late' | 'dropped' | 'invalid';

/** A series' mergeable state for two-phase aggregation, keyed by (rule, window, key). JSON-safe. */
export interface MetricPartial {
  ruleId: string;
  windowStart: number;
  keyId: string;
  key: Record<string, string>;
  accs: unknown[];
}

export interface MetricAggregatorState {
  version: 1;
  ruleId: string;
  watermark: number | null;
  windows: Array<{ start: number; offsets: Array<[number, number]>; series: MetricPartial[] }>;
}

export interface MetricStats {
  /** Events pushed. */
  received: number;
  partialsMerged: number;
  filtered: number;
  late: number;
  accepted: number;
  /** Events and partials refused because their window hit maxSeries (late counts both too). */
  dropped: number;
  /** Events without a usable time. */
  invalid: number;
  /** Aggregations that found no usable value in an accepted event (a max over a missing field). */
  invalidValues: number;
  rowsEmitted: number;
  windowsClosed: number;
  openWindows: number;
  openSeries: number;
  watermark: number;
}

export interface MetricStorm extends SeriesStorm {
  ruleId: string;
}

export interface MetricAggregator {
  readonly rule: MetricRule;
  readonly periodMs: number;
  push(event: LogEvent, partition?: number, offset?: number): PushResult;
  /**
   * Pushes a batch from one partition (offsets[i] belongs to events[i]) and returns the indices
   * of the late events, for the caller to route to a late topic. Cheaper than one push per
   * event: one rule's series stay in cache for the whole batch.
   */
  pushBatch(events: readonly LogEvent[], partition?: number, offsets?: ArrayLike<number>): number[];
  /** Closes the windows the watermark passed (after the allowed lateness) and returns their rows. */
  advance(watermark: number): MetricRow[];
  /** Closes every window: shutdown, or the end of a bounded input. */
  flush(): MetricRow[];
  /** Phase one of two-phase aggregation: closes windows as advance does, returning partials instead of rows. */
  advancePartials(watermark: number): MetricPartial[];
  flushPartials(): MetricPartial[];
  /** The partials of every open series, leaving them open. */
  partial(): MetricPartial[];
  /** Phase two: folds a partial from another instance into this one's window. */
  mergePartial(p: MetricPartial): PushResult;
  /** Oldest offset of the partition held in an open window; commit no further than this. */
  oldestOpenEventOffset(partition: number): number | undefined;
  /** Every window ending at or before this time has been emitted; stages downstream may advance to it. */
  closedThrough(): number;
  openSeries(): number;
  /** Windows that reached maxSeries since the last call, so an alert can be raised. */
  drainStorms(): MetricStorm[];
  snapshot(): MetricAggregatorState;
  stats(): MetricStats;
}

export interface MetricAggregatorOptions {
  /** The task's allowed lateness: how long past its end a window waits for late events. */
  allowedLatenessMs?: number;
  /** State from snapshot(), to resume after a restart. */
  restore?: MetricAggregatorState;
}

export function createMetricAggregator(input: unknown, opts: MetricAggregatorOptions = {}): MetricAggregator {
  const rule = validateMetricRule(input);
  const periodMs = periodToMs(rule.period);
  const lateness = opts.allowedLatenessMs ?? 0;
  if (!(lateness >= 0)) throw badInput(`allowedLatenessMs: expected a non-negative number of milliseconds, got ${lateness}`);

  const pick = rule.where.find((w) => (PICK_OPS as readonly string[]).includes(w.op));
  const where = allOf(
    rule.where
      .filter((w) => w !== pick)
      .map((w) => compileCondition(w as Condition, eventGetter(w.field), { timeZone: rule.timezone })),
  );
  const kernels: Kernel[] = rule.aggregations.map((a) => createKernel(a, pick));
  const expanding = EXPANDING.has(rule.aggregations[0]!.fn) ? kernels[0]! : undefined;
  // A ratio is taken within the group less its own field, whether or not the rule groups by it.
  const ratioField = rule.aggregations[0]!.fn === 'ratio' ? rule.aggregations[0]!.field! : undefined;
  const keyFields = rule.groupBy.filter((f) => f !== ratioField);
  const layout = new SeriesLayout(kernels, keyFields.length);
  const windows = new WindowSet<Record<string, string>, SeriesColumns>({ periodMs, labelling: rule.label, allowedLatenessMs: lateness, maxSeries: rule.maxSeries }, layout.columns);
  const s = { received: 0, partialsMerged: 0, filtered: 0, late: 0, accepted: 0, dropped: 0, invalid: 0, invalidValues: 0, rowsEmitted: 0, windowsClosed: 0 };

  // The fields the per-event path reads (key fields, then the numeric kernels' fields), each
  // read once per event into vals however many kernels share it.
  const refs: FieldRef[] = [];
  const refOf = (field: string): number => {
    const r = fieldRef(field);
    const i = refs.findIndex((x) => x.at === r.at && x.name === r.name);
    return i >= 0 ? i : refs.push(r) - 1;
  };
  const keyAt = keyFields.map(refOf);
  const numeric = kernels.flatMap((k, i) => (k.width > 0 ? [i] : []));
  const numFold = numeric.map((i) => kernels[i]!.fold!);
  const numSlot = numeric.map((i) => layout.slotAt[i]!);
  const numRef = numeric.map((i) => (kernels[i]!.field === undefined ? -1 : refOf(kernels[i]!.field!)));
  const objKernels = kernels.filter((k) => k.width === 0);
  const refAt = refs.map((r) => r.at);
  const refName = refs.map((r) => r.name);
  const vals: unknown[] = refs.map(() => undefined);
  // mergePartial looks series up by their key texts, in keyFields order.
  const textAt = keyFields.map((_, i) => i);

  /** Opens a series for key values (in keyFields order) unless the window is at its cap. */
  const startSeries = (w: SeriesWindow, values: string[]): number | undefined => {
    const key: Record<string, string> = {};
    for (let i = 0; i < keyFields.length; i++) key[keyFields[i]!] = values[i]!;
    if (!windows.addSeries(w, key)) return undefined;
    const id = w.series.length - 1;
    layout.open(w, id, values);
    return id;
  };

  const rowsOf = (w: SeriesWindow): MetricRow[] => {
    const rows: MetricRow[] = [];
    const row = (key: Record<string, string>, values: Record<string, number | string>): MetricRow => ({ ruleId: rule.id, windowStart: w.start, windowEnd: w.end, label: w.label, key, values });
    for (let id = 0; id < w.series.length; id++) {
      const key = w.series[id]!;
      if (expanding) {
        for (const e of expanding.expand!(layout.state(w, id, 0))) rows.push(row(orderKey(key, e.extraKey), { [expanding.as]: e.value }));
        continue;
      }
      const values: Record<string, number | string> = {};
      for (let i = 0; i < kernels.length; i++) {
        const v = kernels[i]!.result(layout.state(w, id, i));
        if (v !== undefined) values[kernels[i]!.as] = v;
      }
      rows.push(row(key, values));
    }
    return rows;
  };

  // Ratio rows keep the rule's group-by order, with the enum field where the rule put it.
  const orderKey = (key: Record<string, string>, extra: Record<string, string>): Record<string, string> => {
    if (!ratioField || !rule.groupBy.includes(ratioField)) return { ...key, ...extra };
    const out: Record<string, string> = {};
    for (const f of rule.groupBy) out[f] = f === ratioField ? extra[f]! : key[f]!;
    return out;
  };

  const partialsOf = (w: SeriesWindow): MetricPartial[] =>
    w.series.map((key, id) => ({
      ruleId: rule.id,
      windowStart: w.start,
      keyId: keyFields.map((f) => key[f]).join('\u001f'),
      key: { ...key },
      accs: kernels.map((k, i) => k.encode(layout.state(w, id, i))),
    }));

  const close = <T>(closed: SeriesWindow[], out: (w: SeriesWindow) => T[]): T[] => {
    const result: T[] = [];
    for (const w of closed) for (const r of out(w)) result.push(r);
    s.windowsClosed += closed.length;
    return result;
  };
  const emitRows = (closed: SeriesWindow[]) => {
    const rows = close(closed, rowsOf);
    s.rowsEmitted += rows.length;
    return rows;
  };

  const mergePartial = (p: MetricPartial): PushResult => {
    if (p.ruleId !== rule.id) throw badInput(`partial of rule "${p.ruleId}" offered to rule "${rule.id}"`);
    if (windowStartOf(p.windowStart, periodMs) !== p.windowStart) throw badInput(`partial window ${p.windowStart} is not aligned to ${rule.period}`);
    const w = windows.windowAt(p.windowStart);
    if (w === undefined) return (s.late++, 'late');
    const values = keyFields.map((f) => textOf(p.key[f]));
    const found = w.data.index.find(values, textAt);
    const id = found >= 0 ? found : startSeries(w, values);
    if (id === undefined) return (s.dropped++, 'dropped');
    for (let i = 0; i < kernels.length; i++) {
      const state = layout.state(w, id, i);
      kernels[i]!.merge(state, kernels[i]!.decode(p.accs[i]));
      layout.put(w, id, i, state);
    }
    s.partialsMerged++;
    return 'accepted';
  };

  const pushOne = (ev: LogEvent, partition: number, offset: number): PushResult => {
    s.received++;
    if (!where(ev)) return (s.filtered++, 'filtered');
    const ts = ev.ts;
    if (typeof ts !== 'number' || !Number.isFinite(ts)) return (s.invalid++, 'invalid');
    const w = windows.windowFor(ts);
    if (w === undefined) return (s.late++, 'late');
    for (let f = 0; f < vals.length; f++) vals[f] = readField(ev, refAt[f]!, refName[f]!);
    const c = w.data;
    let id: number | undefined = c.index.find(vals, keyAt);
    if (id < 0) {
      id = startSeries(w, keyAt.map((f) => textOf(vals[f])));
      if (id === undefined) return (s.dropped++, 'dropped');
    }
    if (numeric.length > 0) {
      const slots = c.slots;
      const base = id * layout.width;
      for (let k = 0; k < numFold.length; k++) {
        const r = numRef[k]!;
        if (!foldNumber(numFold[k]!, slots, base + numSlot[k]!, r < 0 ? undefined : vals[r])) s.invalidValues++;
      }
    }
    if (objKernels.length > 0) {
      const base = id * layout.objWidth;
      for (let k = 0; k < objKernels.length; k++) if (!objKernels[k]!.add!(c.objs[base + k], ev, partition, offset)) s.invalidValues++;
    }
    if (offset >= 0) windows.noteOffset(w, partition, offset);
    s.accepted++;
    return 'accepted';
  };

  if (opts.restore) {
    const st = opts.restore;
    if (st.version !== 1 || st.ruleId !== rule.id) throw badInput(`restore: state of rule "${st.ruleId}" (version ${st.version}) does not belong to rule "${rule.id}"`);
    for (const w of st.windows) {
      const open = windows.windowAt(w.start);
      if (!open) continue;
      for (const [p, o] of w.offsets) windows.noteOffset(open, p, o);
      for (const p of w.series) mergePartial(p);
    }
    if (st.watermark !== null) windows.restoreWatermark(st.watermark);
  }

  return {
    rule,
    periodMs,
    push: (ev, partition = 0, offset = -1) => pushOne(ev, partition, offset),
    pushBatch(events, partition = 0, offsets) {
      const late: number[] = [];
      for (let i = 0; i < events.length; i++) if (pushOne(events[i]!, partition, offsets === undefined ? -1 : offsets[i]!) === 'late') late.push(i);
      return late;
    },
    advance: (watermark) => emitRows(windows.advance(watermark)),
    flush: () => emitRows(windows.flush()),
    advancePartials: (watermark) => close(windows.advance(watermark), partialsOf),
    flushPartials: () => close(windows.flush(), partialsOf),
    partial: () => [...windows.openWindows()].flatMap(partialsOf),
    mergePartial,
    oldestOpenEventOffset: (partition) => windows.oldestOffset(partition),
    closedThrough: () => windows.closedThrough(),
    openSeries: () => windows.openSeries(),
    drainStorms: () => windows.drainStorms().map((st) => ({ ruleId: rule.id, ...st })),
    snapshot: () => ({
      version: 1,
      ruleId: rule.id,
      watermark: Number.isFinite(windows.watermark) ? windows.watermark : null,
      windows: [...windows.openWindows()].map((w) => ({ start: w.start, offsets: [...w.minOffsets], series: partialsOf(w) })),
    }),
    stats: () => ({ ...s, openWindows: [...windows.openWindows()].length, openSeries: windows.openSeries(), watermark: windows.watermark }),
  };
}
