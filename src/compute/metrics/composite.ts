// The composite metric stage: a second aggregation over metric rows and alerts, per composite
// window and group. Each alias collects its source's values (filtered, scored), reduces them, and
// the formula combines the aliases into the row's value. Joins of two streams live in join.ts.
// Source rows land in the composite window in which their own window ends, so a composite
// window is complete once every source has closed up to its end (see closedThrough()).

import type { AlertEvent } from '../alerts/types.js';
import { allOf, compileCondition, toNumber } from '../expr/conditions.js';
import { evaluateFormula, parseFormula } from '../expr/formula.js';
import { periodToMs } from '../windows/period.js';
import { WindowSet, type OpenWindow } from '../windows/window-set.js';
import { badInput } from '../../errors/index.js';
import type { MetricStorm, PushResult } from './aggregator.js';
import { loadCollected, loadWindows, saveCollected, saveWindows, type CompositeState } from './composite-state.js';
import { validateCompositeRule, type CompositeRule, type CompositeSourceInfo, type FormulaCompositeRule } from './composite-schema.js';
import { textOf } from './event-field.js';
import { createJoinComposite } from './join.js';
import { keyIdOf, ownField, rowGetter, type MetricRow } from './row.js';
import { collect, newCollected, reduce, scoreOf, type Collected, type ScoreMapping } from './score.js';

export interface CompositeStats {
  received: number;
  accepted: number;
  filtered: number;
  late: number;
  dropped: number;
  /** Source values that were not numbers. */
  invalidValues: number;
  /** Source values no range of the score mapping held. */
  unscored: number;
  /** Groups skipped because an alias without a default got nothing in the window. */
  incomplete: number;
  /** Groups skipped because the formula had no value (a division by zero). */
  undefinedResults: number;
  rowsEmitted: number;
  openSeries: number;
}

export interface CompositeAggregator {
  readonly rule: CompositeRule;
  readonly periodMs: number;
  /** A row of any source metric; rows of rules the composite does not read are filtered. */
  push(row: MetricRow): PushResult;
  /** An alert record from an alert rule the composite counts. */
  pushAlert(ev: AlertEvent): PushResult;
  /** Pass the least closedThrough() of the sources: windows ending by then are complete. */
  advance(watermark: number): MetricRow[];
  flush(): MetricRow[];
  closedThrough(): number;
  openSeries(): number;
  drainStorms(): MetricStorm[];
  stats(): CompositeStats;
  /** The open windows and watermark, JSON-safe, for restore after a restart or a reload (composite-state.ts). */
  snapshot(): CompositeState;
}

export interface CompositeOptions {
  allowedLatenessMs?: number;
  /** Shared score mappings that sources may name. */
  scores?: Readonly<Record<string, ScoreMapping>>;
  /** A saved state (snapshot(), possibly through JSON), checked before use: a bad one throws BAD_INPUT. */
  restore?: unknown;
}

interface AliasPlan {
  index: number;
  alias: string;
  where: (row: MetricRow) => boolean;
  value: ((row: MetricRow) => unknown) | undefined;
  score: ScoreMapping | undefined;
  distinct: ((row: MetricRow) => unknown) | undefined;
}

interface Group {
  key: Record<string, string>;
  collected: Array<Collected | undefined>;
}

export function createCompositeAggregator(
  input: unknown,
  sources: Readonly<Record<string, CompositeSourceInfo>>,
  opts: CompositeOptions = {},
): CompositeAggregator {
  const rule = validateCompositeRule(input, sources, opts.scores);
  const lateness = opts.allowedLatenessMs ?? 0;
  if (!(lateness >= 0)) throw badInput(`allowedLatenessMs: expected a non-negative number of milliseconds, got ${lateness}`);
  const windowOpts = { periodMs: periodToMs(rule.period), labelling: rule.label, allowedLatenessMs: lateness, maxSeries: rule.maxSeries };
  if (rule.type === 'join') return createJoinComposite(rule, windowOpts, opts.restore);
  return createFormulaComposite(rule, new WindowSet<Group>(windowOpts), opts.scores ?? {}, opts.restore);
}

function createFormulaComposite(rule: FormulaCompositeRule, windows: WindowSet<Group>, library: Readonly<Record<string, ScoreMapping>>, restore: unknown): CompositeAggregator {
  const formula = parseFormula(rule.formula, rule.sources.map((s) => s.alias));
  const metricPlans = new Map<string, AliasPlan[]>();
  const alertPlans = new Map<string, AliasPlan[]>();
  rule.sources.forEach((src, index) => {
    const score = typeof src.score === 'string' ? (rule.scores[src.score] ?? library[src.score]) : src.score;
    const plan: AliasPlan = {
      index,
      alias: src.alias,
      where: allOf(src.where.map((c) => compileCondition(c, rowGetter(c.field)))),
      value: src.value === undefined ? undefined : rowGetter(`values.${src.value}`),
      score,
      distinct: src.distinctBy === undefined ? undefined : rowGetter(src.distinctBy),
    };
    const plans = src.metric !== undefined ? metricPlans : alertPlans;
    const id = src.metric ?? src.alerts!;
    plans.set(id, [...(plans.get(id) ?? []), plan]);
  });
  const s = { received: 0, accepted: 0, filtered: 0, late: 0, dropped: 0, invalidValues: 0, unscored: 0, incomplete: 0, undefinedResults: 0, rowsEmitted: 0 };

  const groupOf = (w: OpenWindow<Group>, row: MetricRow): Group | undefined =>
    windows.seriesById(w, keyIdOf(row.key, rule.groupBy), () => {
      const key: Record<string, string> = {};
      for (const f of rule.groupBy) key[f] = textOf(ownField(row.key, f));
      return { key, collected: rule.sources.map(() => undefined) };
    });

  if (restore !== undefined) {
    loadWindows(restore, rule.id, windows, (saved, w) => {
      for (const g of saved.groups ?? []) {
        if (g.collected.length !== rule.sources.length) throw badInput(`restore: a saved group of composite rule "${rule.id}" has ${g.collected.length} aliases; the rule has ${rule.sources.length}`);
        const group = groupOf(w, { key: g.key } as MetricRow);
        if (group) group.collected = g.collected.map(loadCollected);
      }
    });
  }

  const add = (plans: AliasPlan[] | undefined, row: MetricRow, distinctKey: (p: AliasPlan) => string | undefined): PushResult => {
    s.received++;
    const matching = plans?.filter((p) => p.where(row)) ?? [];
    if (matching.length === 0) return (s.filtered++, 'filtered');
    const w = windows.windowFor(row.windowEnd - 1);
    if (w === undefined) return (s.late++, 'late');
    const g = groupOf(w, row);
    if (g === undefined) return (s.dropped++, 'dropped');
    for (const p of matching) {
      let v = 1;
      if (p.value !== undefined) {
        const n = toNumber(p.value(row));
        if (n === undefined) {
          s.invalidValues++;
          continue;
        }
        v = n;
        if (p.score !== undefined) {
          const scored = scoreOf(p.score, n);
          if (scored === undefined) {
            s.unscored++;
            continue;
          }
          v = scored;
        }
      }
      const c = (g.collected[p.index] ??= newCollected(true));
      collect(c, v, distinctKey(p));
    }
    s.accepted++;
    return 'accepted';
  };

  const rowsOf = (closed: OpenWindow<Group>[]): MetricRow[] => {
    const rows: MetricRow[] = [];
    for (const w of closed) {
      for (const g of w.series) {
        const values = new Map<string, number>();
        let complete = true;
        rule.sources.forEach((src, i) => {
          // Alerts are counted once per alert (or per distinctBy value), however often they repeat.
          const v = src.alerts !== undefined ? (g.collected[i]?.distinct?.size ?? 0) : (reduce(g.collected[i], src.reduce) ?? src.default);
          if (v === undefined) complete = false;
          else values.set(src.alias, v);
        });
        if (!complete) {
          s.incomplete++;
          continue;
        }
        const result = evaluateFormula(formula, values);
        if (result === null) {
          s.undefinedResults++;
          continue;
        }
        rows.push({ ruleId: rule.id, windowStart: w.start, windowEnd: w.end, label: w.label, key: g.key, values: { ...Object.fromEntries(values), [rule.as]: result } });
      }
    }
    s.rowsEmitted += rows.length;
    return rows;
  };

  return {
    rule,
    periodMs: windows.opts.periodMs,
    push: (row) => add(metricPlans.get(row.ruleId), row, (p) => (p.distinct ? textOf(p.distinct(row)) : undefined)),
    pushAlert: (ev) => {
      if (ev.state !== 'firing') return (s.received++, s.filtered++, 'filtered');
      return add(alertPlans.get(ev.ruleId), ev.metric, (p) => (p.distinct ? textOf(p.distinct(ev.metric)) : ev.fingerprint));
    },
    advance: (watermark) => rowsOf(windows.advance(watermark)),
    flush: () => rowsOf(windows.flush()),
    closedThrough: () => windows.closedThrough(),
    openSeries: () => windows.openSeries(),
    drainStorms: () => windows.drainStorms().map((st) => ({ ruleId: rule.id, ...st })),
    stats: () => ({ ...s, openSeries: windows.openSeries() }),
    snapshot: () => saveWindows(rule.id, windows, (groups) => ({ groups: groups.map((g) => ({ key: { ...g.key }, collected: g.collected.map(saveCollected) })) })),
  };
}
