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
import type { BoundMetricPhases, MetricPhases } from './metric-phases.js';
import { mergingPart, type RuleState } from '../results/index.js';
import { ChangedStates, rulePrint, startStateful, type Carried } from './rule-state.js';

export const STORM_RULE_ID = 'metric-storm';

export interface MetricStageOptions {
  allowedLatenessMs: number;
  idleTimeoutMs: number;
  lookup?: DimensionLookup;
  /** Per metric rule, the end of the newest window already written: replayed events of it are late. */
  resume?: ReadonlyMap<string, number>;
  /** A scale-out task's two phases (scale-out.ts): its metric rules aggregate there, not in this stage. */
  phases?: MetricPhases;
  /**
   * The task restarts from its committed offsets, which replay every event its open windows held:
   * windows start empty (a kept one would count its events twice), closed ones stay closed.
   */
  replay?: boolean;
  /** Alert and composite state saved with the results (rule-state.ts), by rule id: restored at start. */
  saved?: ReadonlyMap<string, RuleState>;
}

export interface MetricStageOutput {
  rows: MetricRow[];
  alerts: AlertEvent[];
  /** The state of the alert and composite rules these rows and alerts changed, to write with them. */
  states: RuleState[];
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
  /** Scale-out: adds the saved alert states of repartition partitions this instance was assigned. */
  restoreParts(states: readonly RuleState[]): void;
  /** Scale-out: forgets the alerts of repartition partitions this instance no longer owns. */
  dropParts(parts: readonly number[]): void;
}

interface Carry {
  metrics: Map<string, { print: string; agg: MetricAggregator }>;
  alerts: Map<string, Carried<AlertEvaluator>>;
  composites: Map<string, Carried<CompositeAggregator>>;
  /** What the composites were validated against. */
  sources: string;
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
    const keep = before?.metrics.get(r.id);
    const closedHere = opts.replay && keep && keep.print === print ? keep.agg.closedThrough() : Number.NEGATIVE_INFINITY;
    const resumeAt = Math.max(opts.resume?.get(r.id) ?? Number.NEGATIVE_INFINITY, closedHere);
    const resume = Number.isFinite(resumeAt) ? resumeAt : undefined;
    const agg = attempt(r, () =>
      keep && keep.print === print && resume === undefined && !opts.replay
        ? keep.agg
        : createMetricAggregator(stageBody(r), {
            allowedLatenessMs: opts.allowedLatenessMs,
            ...(keep && keep.print === print && !opts.replay ? { restore: keep.agg.snapshot() } : {}),
            ...(resume !== undefined ? { restore: { version: 1, ruleId: r.id, watermark: resume + opts.allowedLatenessMs, windows: [] } } : {}),
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
  const alerts = new Map<string, Carried<AlertEvaluator>>();
  const prints = new Map(rules.map((r) => [r.id, rulePrint(r)]));
  // Under scale-out each instance evaluates the keys it owns: their state comes per repartition
  // partition as partitions are assigned (restoreParts), never as one state per rule.
  const saved = opts.phases ? undefined : opts.saved;
  for (const r of rules.filter((x) => x.kind === 'alert')) {
    const print = prints.get(r.id)!;
    const keep = before?.alerts.get(r.id);
    const metricId = (r as { metric?: unknown }).metric;
    const src = typeof metricId === 'string' ? sources[metricId] : undefined;
    if (typeof metricId === 'string' && !rules.some((x) => x.id === metricId)) issues.push({ path: `rules[id=${r.id}].metric`, message: `no metric, processed or composite rule "${metricId}" in the task` });
    const ev = attempt(r, () =>
      startStateful(r, print, keep, saved?.get(r.id), (restore) => createAlertEvaluator(stageBody(r), { ...(src ? { source: { keys: src.keys, values: src.values ?? [] } } : {}), restore })),
    );
    if (!ev) continue;
    alerts.set(r.id, { print, value: ev, fits: true });
    if (src) sources[r.id] = { kind: 'alert', period: src.period, keys: src.keys };
  }
  const composites: CompositeAggregator[] = [];
  const carriedComposites = new Map<string, Carried<CompositeAggregator>>();
  for (const r of rules.filter((x) => x.kind === 'composite')) {
    if (opts.phases) {
      issues.push({ path: `rules[id=${r.id}]`, message: 'a composite rule cannot run in a task with scaleOut: its groups gather rows of many keys, which phase two spreads over several instances, so each would write part of a group; run it in a task without scaleOut' });
      continue;
    }
    const keep = before?.composites.get(r.id);
    // Kept as it is only while what it knows of its sources holds; else rebuilt from its own state.
    const fits = keep !== undefined && canonical(sources) === before?.sources;
    const c = attempt(r, () =>
      startStateful(r, prints.get(r.id)!, keep && { ...keep, fits }, saved?.get(r.id), (restore) => createCompositeAggregator(stageBody(r), sources, { allowedLatenessMs: opts.allowedLatenessMs, restore })),
    );
    if (!c) continue;
    composites.push(c);
    carriedComposites.set(r.id, { print: prints.get(r.id)!, value: c, fits: true });
  }
  if (issues.length > 0) throw new LogfedError('BAD_CONFIG', `metric rules are not valid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { details: { issues } });

  const watermarks = before?.watermarks ?? createWatermarkTracker({ idleTimeoutMs: opts.idleTimeoutMs });
  const phases = opts.phases?.bind([...metrics.values()].map((m) => m.agg.rule), watermarks);
  const emitted = new Map(before?.emitted ?? []);
  const rowsEmitted = new Map<string, number>();
  const matchedAtEmit = new Map<string, number>();
  const aggs = [...metrics.values()].map((m) => m.agg);
  const evaluators = [...alerts.values()].map((a) => a.value);
  const changed = new ChangedStates(prints);
  const periodOf = new Map<string, number>([...aggs.map((a) => [a.rule.id, a.periodMs] as const), ...composites.map((c) => [c.rule.id, c.periodMs] as const)]);
  for (const p of processors) periodOf.set(p.rule.id, periodOf.get(p.rule.source) ?? (sources[p.rule.source] ? periodToMs(sources[p.rule.source]!.period) : 0));

  const closedThroughOf = (id: string, depth = 0): number => {
    const m = metrics.get(id);
    if (m) return phases ? phases.closedThrough(id) : m.agg.closedThrough();
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
      if (phases) {
        for (const e of events) if (typeof e.ts === 'number') watermarks.observe(partition, e.ts, now);
        return phases.push(events, partition, offsets);
      }
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
      const out: MetricStageOutput = { rows: [], alerts: [], states: [] };
      if (rules.length === 0) return out;
      // `part`: the repartition partition a scale-out row came through; rows derived from it keep it.
      const route = (row: MetricRow, depth: number, part?: number): void => {
        out.rows.push(row);
        emitted.set(row.ruleId, now);
        rowsEmitted.set(row.ruleId, (rowsEmitted.get(row.ruleId) ?? 0) + 1);
        if (depth > 8) return;
        for (const p of processors) if (p.rule.source === row.ruleId) for (const r of p.process(row)) route(r, depth + 1, part);
        for (const ev of evaluators) if (ev.rule.metric === row.ruleId) (changed.note(ev), ev.evaluate(row, now, part).forEach(alert));
        for (const c of composites) if (c.push(row) === 'accepted') changed.note(c);
      };
      const alert = (a: AlertEvent) => {
        out.alerts.push(a);
        emitted.set(a.ruleId, now);
        for (const c of composites) if (c.pushAlert(a) === 'accepted') changed.note(c);
      };
      const wm = watermarks.watermark(now);
      const merged = phases?.advance(now);
      merged?.rows.forEach((row, i) => {
        const st = phases!.stats(row.ruleId);
        if (st) matchedAtEmit.set(row.ruleId, st.received - st.filtered);
        route(row, 0, merged.parts[i]);
      });
      for (const a of phases ? [] : aggs) {
        const rows = a.advance(wm);
        if (rows.length > 0) {
          const st = a.stats();
          matchedAtEmit.set(a.rule.id, st.received - st.filtered);
        }
        for (const row of rows) route(row, 0);
      }
      for (const ev of evaluators) for (const a of ev.advance(closedThroughOf(ev.rule.metric), now)) (changed.note(ev), alert(a));
      if (aggs.length > 0) {
        const through = Math.min(...aggs.map((a) => a.closedThrough()));
        for (const c of composites) for (const row of c.advance(through)) (changed.note(c), route(row, 1));
      }
      for (const storm of [...(merged?.storms ?? []), ...aggs.flatMap((a) => a.drainStorms()), ...composites.flatMap((c) => c.drainStorms())]) out.alerts.push(stormAlert(storm, now));
      out.states = changed.take(phases?.heldParts());
      return out;
    },
    oldestOffset(partition) {
      if (phases) return phases.oldestOffset(partition);
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
        const s = { ...a.stats(), ...phaseStats(phases?.stats(a.rule.id)) };
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
    restoreParts(states) {
      for (const st of states) {
        const a = alerts.get(st.ruleId);
        if (a && st.part !== undefined) mergingPart(a.value.rule, a.print, { ...st, part: st.part }, (state, part) => a.value.merge(state, part));
      }
    },
    dropParts(parts) {
      const gone = new Set(parts);
      for (const ev of evaluators) ev.drop(gone);
    },
  };
  carried.set(stage, { metrics, alerts, composites: carriedComposites, sources: canonical(sources), emitted, watermarks });
  return stage;
}

/** A scale-out rule's counts from its phases, in the aggregator's terms (open series: both phases'). */
const phaseStats = (s: ReturnType<BoundMetricPhases['stats']>) => (s ? { received: s.received, filtered: s.filtered, late: s.late, dropped: s.dropped, openSeries: s.series } : {});

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
