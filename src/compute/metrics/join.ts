// Joins two metric streams on key fields within one composite window, as a SQL inner join
// would, so that related facts from two logs (a VPN session and a firewall hit sharing an inner
// address) become one row without a table join at query time.

import { allOf, compileCondition } from '../expr/conditions.js';
import { WindowSet, type OpenWindow, type WindowSetOptions } from '../windows/window-set.js';
import type { CompositeAggregator, CompositeStats } from './composite.js';
import { loadWindows, savedRows, saveWindows } from './composite-state.js';
import type { JoinCompositeRule } from './composite-schema.js';
import { keyIdOf, rowGetter, type MetricRow } from './row.js';

interface Bucket {
  left: MetricRow[];
  right: MetricRow[];
}

/**
 * Output names: the join fields appear once, under the left side's names; any other name the
 * two sides share (in the key or in the values) is prefixed with its side's alias ("A.host",
 * "B.host") so neither side's value is lost.
 */
export function createJoinComposite(rule: JoinCompositeRule, opts: WindowSetOptions, restore?: unknown): CompositeAggregator {
  const windows = new WindowSet<Bucket>(opts);
  const sides = (['left', 'right'] as const).map((side) => ({
    side,
    metric: rule[side].metric,
    where: allOf(rule[side].where.map((c) => compileCondition(c, rowGetter(c.field)))),
    on: rule.on.map((pair) => pair[side]),
  }));
  const rightOn = new Set(rule.on.map((p) => p.right));
  const s = { received: 0, accepted: 0, filtered: 0, late: 0, dropped: 0, invalidValues: 0, unscored: 0, incomplete: 0, undefinedResults: 0, rowsEmitted: 0 };

  const join = (w: OpenWindow<Bucket>, l: MetricRow, r: MetricRow): MetricRow => {
    const key: Record<string, string> = {};
    const values: Record<string, number | string> = {};
    merge(key, l.key, r.key, rule.left.alias, rule.right.alias, rightOn);
    merge(values, l.values, r.values, rule.left.alias, rule.right.alias, new Set());
    return { ruleId: rule.id, windowStart: w.start, windowEnd: w.end, label: w.label, key, values };
  };

  const rowsOf = (closed: OpenWindow<Bucket>[]): MetricRow[] => {
    const rows: MetricRow[] = [];
    for (const w of closed) for (const b of w.series) for (const l of b.left) for (const r of b.right) rows.push(join(w, l, r));
    s.rowsEmitted += rows.length;
    return rows;
  };

  const bucketOf = (w: OpenWindow<Bucket>, side: (typeof sides)[number], row: MetricRow): Bucket | undefined =>
    windows.seriesById(w, keyIdOf(row.key, side.on), () => ({ left: [], right: [] }));

  if (restore !== undefined) {
    loadWindows(restore, rule.id, windows, (saved, w) => {
      for (const bucket of saved.buckets ?? []) {
        const [side, first] = bucket.left.length > 0 ? [sides[0]!, bucket.left[0]] : [sides[1]!, bucket.right[0]];
        const b = first && bucketOf(w, side, first as MetricRow);
        if (b) Object.assign(b, { left: savedRows(bucket.left), right: savedRows(bucket.right) });
      }
    });
  }

  return {
    rule,
    periodMs: opts.periodMs,
    push(row) {
      s.received++;
      const matched = sides.filter((side) => side.metric === row.ruleId && side.where(row));
      if (matched.length === 0) return (s.filtered++, 'filtered');
      const w = windows.windowFor(row.windowEnd - 1);
      if (w === undefined) return (s.late++, 'late');
      for (const side of matched) {
        const b = bucketOf(w, side, row);
        if (b === undefined) return (s.dropped++, 'dropped');
        b[side.side].push(row);
      }
      s.accepted++;
      return 'accepted';
    },
    pushAlert: () => (s.received++, s.filtered++, 'filtered'),
    advance: (watermark) => rowsOf(windows.advance(watermark)),
    flush: () => rowsOf(windows.flush()),
    closedThrough: () => windows.closedThrough(),
    openSeries: () => windows.openSeries(),
    drainStorms: () => windows.drainStorms().map((st) => ({ ruleId: rule.id, ...st })),
    stats: (): CompositeStats => ({ ...s, openSeries: windows.openSeries() }),
    snapshot: () => saveWindows(rule.id, windows, (buckets) => ({ buckets: buckets.map((b) => ({ left: structuredClone(b.left), right: structuredClone(b.right) })) })),
  };
}

function merge<V>(out: Record<string, V>, left: Record<string, V>, right: Record<string, V>, la: string, ra: string, skipRight: ReadonlySet<string>): void {
  for (const k of Object.keys(left)) out[Object.hasOwn(right, k) && !skipRight.has(k) ? `${la}.${k}` : k] = left[k]!;
  for (const k of Object.keys(right)) {
    if (skipRight.has(k)) continue;
    out[Object.hasOwn(left, k) ? `${ra}.${k}` : k] = right[k]!;
  }
}
