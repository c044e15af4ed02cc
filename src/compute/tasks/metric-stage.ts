// The metric stage of a task: its metric, processed, composite and alert rules wired together.
// Processed events go into the metric aggregators with their partition and offset; a watermark per
// partition closes windows; closed rows flow to processed rules, alert evaluators and composites.
// Synchronous, like the pipeline; the runner writes what comes out and commits what it allows.

import type { LogEvent } from '../../core/event.js';
import { isLogfedError, LogfedError } from '../../errors/index.js';
import { createAlertEvaluator, type AlertEvaluator } from '../alerts/evaluator.js';
import type { AlertEvent } from '../alerts/types.js';
import { createMetricAggregator, type MetricAggregator, type MetricStorm } from '../metrics/aggregator.js';
import type { CompositeSourceInfo } from '../metrics/composite-schema.js';
import { createCompositeAggregator, type CompositeAggregator } from '../metrics/composite.js';
import { createMetricProcessor, type DimensionLookup, type MetricProcessor } from '../metrics/processed.js';
import type { MetricRow } from '../metrics/row.js';
import { describeMetricRule } from '../metrics/schema.js';
import { periodToMs } from '../windows/period.js';
import { canonical } from '../rule-store/index.js';
import { METRIC_KINDS, stageBody, type MetricKindRule, type Rule, type RuleIssue } from '../rules/index.js';
import { createWatermarkTracker, type WatermarkTracker } from '../windows/watermark.js';

export const STORM_RULE_ID = 'metric-storm';

export interface MetricStageOptions {
  allowedLatenessMs: number;
  idleTimeoutMs: number;
  lookup?: DimensionLookup;
  /** Per metric rule, the end of the newest window already written: replayed events of it are late. */
  resume?: ReadonlyMap<string, number>;
}

export interface MetricStageOutput {
  rows: MetricRow[];
  alerts: AlertEvent[];
}

export interface MetricRuleStats {
  /** Open series (metric rules) or tracked alert series (alert rules). */
  series: number;
  maxSeries?: number;
  received: number;
  matched: number;
  late: number;
  dropped: number;
  rowsEmitted: number;
  lastEmittedAt?: number;
  /** Metric rules: `matched` when the rule last emitted rows, so what matched since is known. */
  matchedAtLastEmit?: number;
  periodMs?: number;
}

export interface MetricStage {
  readonly empty: boolean;
  readonly watermarks: WatermarkTracker;
  /** Events of one partition, offsets[i] being events[i]'s record; answers the indices of late events. */
  push(events: readonly LogEvent[], partition: number, offsets: readonly number[]): number[];
  advance(now: number): MetricStageOutput;
  /** Oldest offset of the partition held in any open window: commits stop there. */
  oldestOffset(partition: number): number | undefined;
  stats(): Record<string, MetricRuleStats>;
  metricRuleIds(): string[];
}

interface Carry {
  metrics: Map<string, { print: string; agg: MetricAggregator }>;
  alerts: Map<string, { print: string; ev: AlertEvaluator }>;
  emitted: Map<string, number>;
  watermarks?: WatermarkTracker;
}

const carried = new WeakMap<MetricStage, Carry>();
const isMetricKind = (r: Rule) => (METRIC_KINDS as readonly string[]).includes(r.kind);

/**
 * Builds the stage from a task's rules (the online metric kinds among them). Rules that do not
 * fit together are refused with every issue, as the pipeline refuses its own. Rules unchanged
 * since `previous` keep their open windows and alert states.
 */
export function compileMetricStage(all: readonly Rule[], opts: MetricStageOptions, previous?: MetricStage): MetricStage {
  const rules = all.filter((r) => r.online && isMetricKind(r)) as MetricKindRule[];
  const before = previous ? carried.get(previous) : undefined;
  const issues: RuleIssue[] = [];
  const attempt = <T>(rule: Rule, build: () => T): T | undefined => {
    try {
      return build();
    } catch (err) {
      const found = isLogfedError(err) && Array.isArray(err.details?.issues) ? (err.details.issues as RuleIssue[]) : [{ path: rule.kind, message: String(err) }];
      for (const i of found) issues.push({ path: `rules[id=${rule.id}].${i.path.replace(/^[a-z]+\.?/, '')}`, message: i.message });
      return undefined;
    }
  };

  const metrics = new Map<string, { print: string; agg: MetricAggregator }>();
  const sources: Record<string, CompositeSourceInfo> = {};
  for (const r of rules.filter((x) => x.kind === 'metric')) {
    const print = canonical([r]);
    const resumeAt = opts.resume?.get(r.id);
    const keep = before?.metrics.get(r.id);
    const agg = attempt(r, () =>
      keep && keep.print === print && resumeAt === undefined
        ? keep.agg
        : createMetricAggregator(stageBody(r), {
            allowedLatenessMs: opts.allowedLatenessMs,
            ...(keep && keep.print === print ? { restore: keep.agg.snapshot() } : {}),
            ...(resumeAt !== undefined ? { restore: { version: 1, ruleId: r.id, watermark: resumeAt + opts.allowedLatenessMs, windows: [] } } : {}),
          }),
    );
    if (!agg) continue;
    metrics.set(r.id, { print, agg });
    sources[r.id] = { kind: 'metric', ...describeMetricRule(agg.rule) };
  }
  const processors: MetricProcessor[] = [];
  for (const r of rules.filter((x) => x.kind === 'processed')) {
    const p = attempt(r, () => createMetricProcessor(stageBody(r), { lookup: opts.lookup ?? (() => undefined) }));
    if (!p) continue;
    const src = sources[p.rule.source];
    if (!src && !rules.some((x) => x.id === p.rule.source)) issues.push({ path: `rules[id=${r.id}].source`, message: `no metric or processed rule "${p.rule.source}" in the task` });
    if (src) sources[r.id] = { kind: 'metric', period: src.period, keys: [...src.keys, ...p.rule.lookups.flatMap((l) => Object.keys(l.add)), ...p.rule.valueMaps.filter((m) => m.field.startsWith('key.') && m.as).map((m) => m.as!)] };
    processors.push(p);
  }
  const alerts = new Map<string, { print: string; ev: AlertEvaluator }>();
  for (const r of rules.filter((x) => x.kind === 'alert')) {
    const print = canonical([r]);
    const keep = before?.alerts.get(r.id);
    const metricId = (r as { metric?: unknown }).metric;
    const src = typeof metricId === 'string' ? sources[metricId] : undefined;
    if (typeof metricId === 'string' && !rules.some((x) => x.id === metricId)) issues.push({ path: `rules[id=${r.id}].metric`, message: `no metric, processed or composite rule "${metricId}" in the task` });
    const ev = attempt(r, () =>
      keep && keep.print === print ? keep.ev : createAlertEvaluator(stageBody(r), src ? { source: { keys: src.keys, values: src.values ?? [] } } : {}),
    );
    if (!ev) continue;
    alerts.set(r.id, { print, ev });
    if (src) sources[r.id] = { kind: 'alert', period: src.period, keys: src.keys };
  }
  const composites: CompositeAggregator[] = [];
  for (const r of rules.filter((x) => x.kind === 'composite')) {
    const c = attempt(r, () => createCompositeAggregator(stageBody(r), sources, { allowedLatenessMs: opts.allowedLatenessMs }));
    if (c) composites.push(c);
  }
  if (issues.length > 0) throw new LogfedError('BAD_CONFIG', `metric rules are not valid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { details: { issues } });

  const watermarks = before?.watermarks ?? createWatermarkTracker({ idleTimeoutMs: opts.idleTimeoutMs });
  const emitted = new Map(before?.emitted ?? []);
  const rowsEmitted = new Map<string, number>();
  const matchedAtEmit = new Map<string, number>();
  const aggs = [...metrics.values()].map((m) => m.agg);
  const evaluators = [...alerts.values()].map((a) => a.ev);
  const periodOf = new Map<string, number>([...aggs.map((a) => [a.rule.id, a.periodMs] as const), ...composites.map((c) => [c.rule.id, c.periodMs] as const)]);
  for (const p of processors) periodOf.set(p.rule.id, periodOf.get(p.rule.source) ?? (sources[p.rule.source] ? periodToMs(sources[p.rule.source]!.period) : 0));

  const closedThroughOf = (id: string, depth = 0): number => {
    const m = metrics.get(id);
    if (m) return m.agg.closedThrough();
    const c = composites.find((x) => x.rule.id === id);
    if (c) return c.closedThrough();
    const p = processors.find((x) => x.rule.id === id);
    return p && depth < 8 ? closedThroughOf(p.rule.source, depth + 1) : Number.NEGATIVE_INFINITY;
  };

  const stage: MetricStage = {
    empty: rules.length === 0,
    watermarks,
    push(events, partition, offsets) {
      const late: number[] = [];
      if (aggs.length === 0) return late;
      const now = Date.now();
      for (let i = 0; i < events.length; i++) {
        const e = events[i]!;
        if (typeof e.ts === 'number') watermarks.observe(partition, e.ts, now);
        let isLate = false;
        for (const a of aggs) if (a.push(e, partition, offsets[i]) === 'late') isLate = true;
        if (isLate) late.push(i);
      }
      return late;
    },
    advance(now) {
      const out: MetricStageOutput = { rows: [], alerts: [] };
      if (rules.length === 0) return out;
      const route = (row: MetricRow, depth: number): void => {
        out.rows.push(row);
        emitted.set(row.ruleId, now);
        rowsEmitted.set(row.ruleId, (rowsEmitted.get(row.ruleId) ?? 0) + 1);
        if (depth > 8) return;
        for (const p of processors) if (p.rule.source === row.ruleId) for (const r of p.process(row)) route(r, depth + 1);
        for (const ev of evaluators) if (ev.rule.metric === row.ruleId) for (const a of ev.evaluate(row, now)) alert(a);
        for (const c of composites) c.push(row);
      };
      const alert = (a: AlertEvent) => {
        out.alerts.push(a);
        emitted.set(a.ruleId, now);
        for (const c of composites) c.pushAlert(a);
      };
      const wm = watermarks.watermark(now);
      for (const a of aggs) {
        const rows = a.advance(wm);
        if (rows.length > 0) {
          const st = a.stats();
          matchedAtEmit.set(a.rule.id, st.received - st.filtered);
        }
        for (const row of rows) route(row, 0);
      }
      for (const ev of evaluators) for (const a of ev.advance(closedThroughOf(ev.rule.metric), now)) alert(a);
      if (aggs.length > 0) {
        const through = Math.min(...aggs.map((a) => a.closedThrough()));
        for (const c of composites) for (const row of c.advance(through)) route(row, 1);
      }
      for (const storm of [...aggs.flatMap((a) => a.drainStorms()), ...composites.flatMap((c) => c.drainStorms())]) out.alerts.push(stormAlert(storm, now));
      return out;
    },
    oldestOffset(partition) {
      let oldest: number | undefined;
      for (const a of aggs) {
        const o = a.oldestOpenEventOffset(partition);
        if (o !== undefined && (oldest === undefined || o < oldest)) oldest = o;
      }
      return oldest;
    },
    stats() {
      const out: Record<string, MetricRuleStats> = {};
      for (const a of aggs) {
        const s = a.stats();
        out[a.rule.id] = { series: s.openSeries, maxSeries: a.rule.maxSeries, received: s.received, matched: s.received - s.filtered, late: s.late, dropped: s.dropped, rowsEmitted: rowsEmitted.get(a.rule.id) ?? 0, lastEmittedAt: emitted.get(a.rule.id), matchedAtLastEmit: matchedAtEmit.get(a.rule.id), periodMs: a.periodMs };
      }
      for (const p of processors) {
        const s = p.stats();
        out[p.rule.id] = { series: 0, received: s.received, matched: s.received - s.filtered, late: 0, dropped: s.dropped, rowsEmitted: rowsEmitted.get(p.rule.id) ?? 0, lastEmittedAt: emitted.get(p.rule.id), periodMs: periodOf.get(p.rule.id) };
      }
      for (const c of composites) {
        const s = c.stats();
        out[c.rule.id] = { series: s.openSeries, received: s.received, matched: s.accepted, late: s.late, dropped: s.dropped, rowsEmitted: rowsEmitted.get(c.rule.id) ?? 0, lastEmittedAt: emitted.get(c.rule.id), periodMs: c.periodMs };
      }
      for (const e of evaluators) {
        const s = e.stats();
        out[e.rule.id] = { series: s.series, received: s.received, matched: s.met, late: 0, dropped: 0, rowsEmitted: s.events, lastEmittedAt: emitted.get(e.rule.id), periodMs: periodOf.get(e.rule.metric) };
      }
      return out;
    },
    metricRuleIds: () => [...metrics.keys()],
  };
  carried.set(stage, { metrics, alerts, emitted, watermarks });
  return stage;
}

/** A rule that hit its series cap, as an alert of its own: new series are being dropped. */
export function stormAlert(storm: MetricStorm, now: number): AlertEvent {
  const key = { rule: storm.ruleId };
  const start = storm.windowStart;
  const end = storm.label;
  return {
    ruleId: STORM_RULE_ID,
    fingerprint: `${STORM_RULE_ID}{rule=${JSON.stringify(storm.ruleId)}}`,
    state: 'firing',
    notify: true,
    labels: { alertname: STORM_RULE_ID, rule: storm.ruleId, severity: 'warning' },
    message: `metric storm: rule ${storm.ruleId} reached its series cap of ${storm.cap}; new series are dropped`,
    activeSince: start,
    at: end,
    evaluatedAt: now,
    metric: { ruleId: storm.ruleId, windowStart: start, windowEnd: end, label: end, key, values: { dropped: storm.dropped, cap: storm.cap } },
  };
}
