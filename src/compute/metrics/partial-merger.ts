// Phase two of two-phase aggregation (a scale-out task): the metric partials that reach one
// repartition partition, kept per source input partition, so that a partial sent again (a replay
// after a crash or a rebalance) replaces the one before instead of adding to it. A window closes
// once the marker ("closed through T") of every input partition has passed its end plus the
// allowed lateness; an input partition whose marker has not advanced for the idle timeout stops
// holding windows back. Pure and synchronous: tasks/scale-out.ts feeds it records and takes rows.

import { periodToMs, windowStartOf } from '../windows/period.js';
import { createWatermarkTracker } from '../windows/watermark.js';
import { createMetricAggregator, type MetricPartial, type MetricStorm } from './aggregator.js';
import type { MetricRow } from './row.js';
import type { MetricRule } from './schema.js';

export interface PartialMergerOptions {
  /** Every input partition of the task ("topic/partition"): each holds windows back until it is idle. */
  sources: readonly string[];
  allowedLatenessMs: number;
  idleTimeoutMs: number;
  /** The running rule a partial names; partials of other rules are refused. */
  rule(id: string): MetricRule | undefined;
  /** Wall time the sources start holding windows back from. */
  now: number;
}

/**
 * accepted / replaced: held for its window; replayed: its source's marker had already passed the
 * window, so the partial held (or none, for a key the source did not have) stands; late: the
 * window had closed; unknown: no such rule runs; refused: its state does not fit the rule.
 */
export type OfferResult = 'accepted' | 'replaced' | 'replayed' | 'late' | 'unknown' | 'refused';

export interface MergerRuleStats {
  /** Partials held in open windows. */
  series: number;
  accepted: number;
  replaced: number;
  replayed: number;
  late: number;
  /** Partials that did not fit the rule (a window off its period, state of another shape): left out. */
  refused: number;
  rows: number;
}

export interface PartialMerger {
  /** Input partition `source` has sent the partials of every window the event time `watermark` closes. */
  marker(source: string, watermark: number, now: number): void;
  /** A partial read at `offset` of the repartition partition. */
  offer(source: string, partial: MetricPartial, offset: number): OfferResult;
  /** Closes the windows every input partition has passed and returns their merged rows. */
  advance(now: number): { rows: MetricRow[]; storms: MetricStorm[] };
  /** The time windows close by: the least marker of the input partitions that are not idle. */
  watermark(now: number): number;
  /** Every window of the rule ending at or before this time has been emitted. */
  closedThrough(ruleId: string): number;
  /**
   * Where the repartition partition may be committed when it was read up to `next`: never past a
   * partial of an open window, nor into the middle of a closed window's partials, so a replay
   * rebuilds each window whole (and rewrites the same row) or not at all.
   */
  commitPoint(next: number): number;
  stats(): Record<string, MergerRuleStats>;
}

interface OpenMerge {
  ruleId: string;
  start: number;
  /** End plus the allowed lateness: the marker value that closes the window. */
  closesAt: number;
  /** By key and source. */
  held: Map<string, MetricPartial>;
  first: number;
  last: number;
}

export function createPartialMerger(opts: PartialMergerOptions): PartialMerger {
  const lateness = opts.allowedLatenessMs;
  const tracker = createWatermarkTracker({ idleTimeoutMs: opts.idleTimeoutMs });
  const sourceIds = new Map<string, number>();
  const marks = new Map<string, number>();
  const idOf = (source: string, now: number) => {
    let id = sourceIds.get(source);
    if (id === undefined) {
      sourceIds.set(source, (id = sourceIds.size));
      tracker.register(id, now);
    }
    return id;
  };
  for (const s of opts.sources) idOf(s, opts.now);

  const open = new Map<string, OpenMerge>();
  /** Offset ranges of closed windows, until the partition is committed past them. */
  let closed: Array<{ first: number; last: number }> = [];
  let applied = Number.NEGATIVE_INFINITY;
  const counts = new Map<string, MergerRuleStats>();
  const countsOf = (id: string) => {
    let c = counts.get(id);
    if (!c) counts.set(id, (c = { series: 0, accepted: 0, replaced: 0, replayed: 0, late: 0, refused: 0, rows: 0 }));
    return c;
  };
  const periodOf = (rule: MetricRule) => periodToMs(rule.period);

  return {
    marker(source, watermark, now) {
      const id = idOf(source, now);
      // A repeated or lower marker (a new owner of the input partition starting over) says nothing new.
      if (watermark <= (marks.get(source) ?? Number.NEGATIVE_INFINITY)) return;
      marks.set(source, watermark);
      tracker.observe(id, watermark, now);
    },

    offer(source, partial, offset) {
      const rule = opts.rule(partial.ruleId);
      if (!rule) return 'unknown';
      const c = countsOf(rule.id);
      const closesAt = partial.windowStart + periodOf(rule) + lateness;
      const at = `${rule.id}\u0000${partial.windowStart}`;
      const w = open.get(at);
      if (closesAt <= applied) {
        c.late++;
        return 'late';
      }
      if (closesAt <= (marks.get(source) ?? Number.NEGATIVE_INFINITY)) {
        // Kept in the window's range all the same: a replay must meet it in the same order.
        if (w) w.last = Math.max(w.last, offset);
        c.replayed++;
        return 'replayed';
      }
      const win = w ?? { ruleId: rule.id, start: partial.windowStart, closesAt, held: new Map(), first: offset, last: offset };
      if (!w) open.set(at, win);
      win.first = Math.min(win.first, offset);
      win.last = Math.max(win.last, offset);
      if (!fits(rule, partial)) {
        c.refused++;
        return 'refused';
      }
      const id = `${partial.keyId}\u0000${source}`;
      const replaced = win.held.has(id);
      win.held.set(id, partial);
      if (replaced) c.replaced++;
      else c.accepted++;
      return replaced ? 'replaced' : 'accepted';
    },

    advance(now) {
      const wm = tracker.watermark(now);
      if (wm > applied) applied = wm;
      const rows: MetricRow[] = [];
      const storms: MetricStorm[] = [];
      const due = [...open.values()].filter((w) => w.closesAt <= applied).sort((a, b) => a.start - b.start);
      for (const w of due) {
        open.delete(`${w.ruleId}\u0000${w.start}`);
        closed.push({ first: w.first, last: w.last });
        const rule = opts.rule(w.ruleId);
        if (!rule) continue;
        // One window's partials folded by the rule's own kernels: the same rows one instance writes.
        const agg = createMetricAggregator(rule);
        for (const p of w.held.values()) agg.mergePartial(p);
        const out = agg.flush();
        countsOf(rule.id).rows += out.length;
        for (const r of out) rows.push(r);
        for (const s of agg.drainStorms()) storms.push(s);
      }
      return { rows, storms };
    },

    watermark: (now) => Math.max(applied, tracker.watermark(now)),

    closedThrough(ruleId) {
      const rule = opts.rule(ruleId);
      if (!rule || applied === Number.NEGATIVE_INFINITY) return Number.NEGATIVE_INFINITY;
      return windowStartOf(applied - lateness, periodOf(rule));
    },

    commitPoint(next) {
      let point = next;
      for (const w of open.values()) point = Math.min(point, w.first);
      for (let moved = true; moved; ) {
        moved = false;
        for (const r of closed) {
          if (r.first < point && r.last >= point) {
            point = r.first;
            moved = true;
          }
        }
      }
      closed = closed.filter((r) => r.last >= point);
      return point;
    },

    stats() {
      for (const c of counts.values()) c.series = 0;
      for (const w of open.values()) countsOf(w.ruleId).series += w.held.size;
      return Object.fromEntries([...counts].map(([id, c]) => [id, { ...c }]));
    },
  };
}

/**
 * Whether a partial folds into a row of the rule: it is tried alone, so one from a phase one that
 * ran another version of the rule (or a damaged record) cannot spoil the series it would join.
 */
function fits(rule: MetricRule, partial: MetricPartial): boolean {
  if (partial.accs.length !== rule.aggregations.length) return false;
  try {
    const probe = createMetricAggregator(rule);
    if (probe.mergePartial(partial) !== 'accepted') return false;
    return probe.flush().every((r) => Object.values(r.values).every((v) => typeof v === 'string' || Number.isFinite(v)));
  } catch {
    return false;
  }
}
