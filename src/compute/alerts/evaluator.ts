// The alert stage: evaluates each row of its metric against the rule's conditions and moves
// that key's alert through its lifecycle, emitting alert records with rendered messages.
// Pure: rows and the wall time come in as arguments; state can be snapshotted and restored (state.ts).

import { compileCondition, toNumber, type Condition } from '../expr/conditions.js';
import { zoneClock } from '../expr/time-range.js';
import { rowGetter, type MetricRow } from '../metrics/row.js';
import { newBaselineState, observeBaseline } from './baseline.js';
import { newChangeState, observeChange } from './change.js';
import { newLifecycle, step, type Outcome, type Timing } from './lifecycle.js';
import { loadAlertState, saveAlertState, type AlertEvaluatorState, type SeriesState as Series } from './state.js';
import { validateAlertRule, type AlertRule, type AlertSourceInfo } from './schema.js';
import { parseTemplate, renderTemplate, type TemplatePart } from './template.js';
import type { AlertEvent } from './types.js';

export interface AlertEvaluator {
  readonly rule: AlertRule;
  /**
   * Evaluates one row of the rule's metric; rows of other metrics are ignored. `part`: the
   * repartition partition the row came through in a scale-out task, which its alert is saved under.
   */
  evaluate(row: MetricRow, now: number, part?: number): AlertEvent[];
  /**
   * Tells the evaluator that the metric has delivered every window ending at or before
   * `closedThrough` (pass the metric stage's closedThrough()). An active alert whose key got no
   * row for the newest of those windows counts as not met there (unless the rule says
   * absent: keep), so an error count that dropped to nothing still resolves.
   */
  advance(closedThrough: number, now: number): AlertEvent[];
  /** Every alert's lifecycle and history (or those of one repartition partition), JSON-safe, for restore after a restart. */
  snapshot(part?: number): AlertEvaluatorState;
  /**
   * Adds the alerts of a saved state (of one repartition partition) to the running ones; an alert
   * known both here and there keeps whichever evaluated the newer row. Checked as `restore` is:
   * a bad state throws BAD_INPUT and nothing is added.
   */
  merge(state: unknown, part: number): void;
  /** Forgets the alerts of these repartition partitions (another instance owns them now). */
  drop(parts: ReadonlySet<number>): void;
  stats(): AlertStats;
}

export interface AlertStats {
  received: number;
  ignored: number;
  /** Rows not newer than the last one of their key (replays, duplicates). */
  stale: number;
  met: number;
  events: number;
  notifications: number;
  pending: number;
  firing: number;
  series: number;
}

export interface AlertEvaluatorOptions {
  /** Overrides the rule's time zone for time ranges and messages. */
  timeZone?: string;
  /** The metric's fields, to check the rule's field references on load. */
  source?: AlertSourceInfo;
  /** A saved state (snapshot(), possibly through JSON), checked before use: a bad one throws BAD_INPUT. */
  restore?: unknown;
}

const DAY_MS = 86_400_000;

export function createAlertEvaluator(input: unknown, opts: AlertEvaluatorOptions = {}): AlertEvaluator {
  const rule = validateAlertRule(opts.timeZone ? { ...(input as object), timezone: opts.timeZone } : input, opts.source);
  const clock = zoneClock(rule.timezone);
  const timing: Timing = { forMs: rule.for, keepFiringForMs: rule.keepFiringFor, repeatIntervalMs: rule.repeatInterval };
  const template = parseTemplate(rule.message) as TemplatePart[];

  const plain = rule.when.filter((w) => w.op !== undefined).map((w) => compileCondition(w as Condition, rowGetter(w.field!), { timeZone: rule.timezone }));
  const baselines = rule.when.flatMap((w) => (w.baseline ? [{ spec: w.baseline, get: rowGetter(w.baseline.field) }] : []));
  const changes = rule.when.flatMap((w) => (w.change ? [{ spec: w.change, get: rowGetter(w.change.field) }] : []));
  const stateful = baselines.length + changes.length > 0;
  // A key's history must outlive the furthest slot a change condition looks back to.
  const retentionMs = Math.max(0, ...changes.map((c) => c.spec.against)) + DAY_MS;

  const shape = { id: rule.id, baselines: baselines.length, changes: changes.length };
  const series = opts.restore === undefined ? new Map<string, Series>() : loadAlertState(opts.restore, shape);
  const s = { received: 0, ignored: 0, stale: 0, met: 0, events: 0, notifications: 0 };

  const conditionsMet = (st: Series, row: MetricRow): boolean => {
    // Baselines and changes learn from every row, so they are all evaluated, never short-circuited.
    let met = true;
    baselines.forEach((b, i) => {
      const x = toNumber(b.get(row));
      if (x === undefined || !observeBaseline(b.spec, st.baselines[i]!, x)) met = false;
    });
    changes.forEach((c, i) => {
      const x = toNumber(c.get(row));
      if (x === undefined || !observeChange(c.spec, st.changes[i]!, row.label, x)) met = false;
    });
    for (const p of plain) if (!met || !p(row)) return false;
    return met;
  };

  const emit = (fp: string, st: Series, o: Outcome | undefined, at: number, now: number): AlertEvent[] => {
    if (o === undefined) return [];
    const labels = { alertname: rule.id, ...st.lastRow.key, ...rule.labels };
    const message = renderTemplate(template, { row: st.lastRow, labels, state: o.state, activeSince: st.lc.activeSince, clock });
    s.events++;
    if (o.notify) s.notifications++;
    return [{ ruleId: rule.id, fingerprint: fp, state: o.state, notify: o.notify, labels, message, activeSince: st.lc.activeSince, at, evaluatedAt: now, metric: st.lastRow }];
  };

  const settle = (fp: string, st: Series) => {
    if (st.lc.state === 'inactive' && !stateful) series.delete(fp);
  };

  return {
    rule,
    evaluate(row, now, part) {
      s.received++;
      if (row.ruleId !== rule.metric) return (s.ignored++, []);
      const fp = fingerprintOf(rule.id, row.key);
      let st = series.get(fp);
      if (st === undefined) {
        st = { lc: newLifecycle(), baselines: baselines.map(newBaselineState), changes: changes.map(newChangeState), lastRow: row };
        series.set(fp, st);
      }
      if (part !== undefined) st.part = part;
      if (row.label <= st.lc.lastAt) return (s.stale++, []);
      const met = conditionsMet(st, row);
      if (met) s.met++;
      st.lastRow = row;
      const out = emit(fp, st, step(st.lc, met, row.label, now, timing), row.label, now);
      settle(fp, st);
      return out;
    },
    advance(closedThrough, now) {
      const out: AlertEvent[] = [];
      for (const [fp, st] of series) {
        // The label the missing row would have had: labels sit at a fixed place in their window.
        const label = closedThrough - (st.lastRow.windowEnd - st.lastRow.label);
        if (rule.absent === 'resolve' && st.lc.state !== 'inactive' && st.lastRow.windowEnd < closedThrough && label > st.lc.lastAt) {
          for (const e of emit(fp, st, step(st.lc, false, label, now, timing), label, now)) out.push(e);
          settle(fp, st);
        } else if (st.lc.state === 'inactive' && st.lc.lastAt < label - retentionMs) series.delete(fp);
      }
      return out;
    },
    snapshot: (part) => saveAlertState(rule.id, part === undefined ? series : new Map([...series].filter(([, st]) => st.part === part))),
    merge(state, part) {
      for (const [fp, st] of loadAlertState(state, shape)) {
        const have = series.get(fp);
        if (have === undefined || have.lc.lastAt < st.lc.lastAt) series.set(fp, { ...st, part });
      }
    },
    drop(parts) {
      for (const [fp, st] of series) if (st.part !== undefined && parts.has(st.part)) series.delete(fp);
    },
    stats: () => {
      let pending = 0;
      let firing = 0;
      for (const st of series.values()) {
        if (st.lc.state === 'pending') pending++;
        else if (st.lc.state === 'firing') firing++;
      }
      return { ...s, pending, firing, series: series.size };
    },
  };
}

/** An alert's identity: `rule{field="value",...}` over the sorted metric key, as Prometheus prints series. */
export function fingerprintOf(ruleId: string, key: Record<string, string>): string {
  const parts = Object.keys(key)
    .sort()
    .map((k) => `${k}=${JSON.stringify(key[k])}`);
  return `${ruleId}{${parts.join(',')}}`;
}
