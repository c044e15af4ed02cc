// A verdict on a task and on each of its metric rules, with the reasons, from what the task
// already counts: its state and consumer lag readings, and the metric stage's per-rule stats.
// Pure: the runner gathers the input (see TaskRunner.advice), this decides.

import type { MetricRuleStats } from './metric-stage.js';
import type { TaskState } from './views.js';

export type Verdict = 'OK' | 'WARN' | 'FAIL';

export interface Advice {
  verdict: Verdict;
  /** Why the verdict is not OK, worst first; empty when it is. */
  reasons: string[];
}

export interface RuleAdvice extends Advice {
  id: string;
}

export interface TaskAdvice extends Advice {
  rules: RuleAdvice[];
}

export interface AdviceRuleInput {
  id: string;
  kind: string;
  stats: MetricRuleStats;
}

export interface AdviceInput {
  now: number;
  state: TaskState;
  startedAt?: number;
  lastError?: string;
  /** The task's total consumer lag at its latest readings, oldest first. */
  lagReadings: readonly number[];
  lagError?: string;
  rules: readonly AdviceRuleInput[];
  /**
   * For a task with metric rules and no scaleOut: the input partitions this member owns, out of all
   * of them. Fewer means other members aggregate the rest, each writing its own part of a row.
   */
  partitions?: { owned: number; total: number; group: string };
}

export interface AdviceThresholds {
  /** A rule that emitted nothing for this many of its periods is flagged. */
  quietPeriods: number;
  /** Late events above this share of a rule's events are flagged... */
  lateShare: number;
  /** ...once it has seen at least this many. */
  lateMinEvents: number;
  /** Open series at or above this share of the cap are flagged. */
  seriesShare: number;
  /** Lag higher at each of this many readings in a row counts as growing. */
  lagReadings: number;
}

export const DEFAULT_ADVICE_THRESHOLDS: AdviceThresholds = { quietPeriods: 3, lateShare: 0.05, lateMinEvents: 20, seriesShare: 0.8, lagReadings: 3 };

const rank: Record<Verdict, number> = { OK: 0, WARN: 1, FAIL: 2 };

class Findings {
  private readonly found: Array<{ verdict: Verdict; reason: string }> = [];
  add(verdict: Exclude<Verdict, 'OK'>, reason: string): void {
    this.found.push({ verdict, reason });
  }
  advice(floor: Verdict = 'OK'): Advice {
    const sorted = [...this.found].sort((a, b) => rank[b.verdict] - rank[a.verdict]);
    const worst = sorted.reduce<Verdict>((v, f) => (rank[f.verdict] > rank[v] ? f.verdict : v), floor);
    return { verdict: worst, reasons: sorted.map((f) => f.reason) };
  }
}

const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
const span = (ms: number) => (ms % 60_000 === 0 ? `${ms / 60_000}m` : ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);

export function adviseRule(rule: AdviceRuleInput, input: AdviceInput, t: AdviceThresholds = DEFAULT_ADVICE_THRESHOLDS): RuleAdvice {
  const f = new Findings();
  const s = rule.stats;
  // Alert rules emit only when an alert changes state: silence is normal for them.
  if (rule.kind !== 'alert' && input.state === 'RUNNING' && input.startedAt !== undefined && s.periodMs && s.periodMs > 0) {
    const since = Math.max(s.lastEmittedAt ?? input.startedAt, input.startedAt);
    const quietFor = input.now - since;
    if (quietFor >= t.quietPeriods * s.periodMs) {
      const periods = Math.floor(quietFor / s.periodMs);
      const newMatched = s.matched - (s.matchedAtLastEmit ?? 0);
      if (newMatched > 0) {
        f.add('FAIL', `emitted nothing for ${periods} periods of ${span(s.periodMs)} while ${newMatched} matching events came in: its windows are not closing (is a partition holding the watermark back?)`);
      } else if (s.received > 0) {
        f.add('WARN', `emitted nothing for ${periods} periods of ${span(s.periodMs)}: none of its input matches it since it last emitted`);
      } else {
        f.add('WARN', `emitted nothing for ${periods} periods of ${span(s.periodMs)}: it has received no input`);
      }
    }
  }
  if (s.received >= t.lateMinEvents && s.late / s.received > t.lateShare) {
    f.add('WARN', `${pct(s.late / s.received)} of its events came after their window closed (${s.late} of ${s.received}; above ${pct(t.lateShare)}): raise allowedLatenessMs or look at the producers' clocks`);
  }
  if (s.maxSeries !== undefined && s.maxSeries > 0) {
    if (s.dropped > 0 && s.series >= s.maxSeries) {
      f.add('FAIL', `at its series cap of ${s.maxSeries}: ${s.dropped} events of new series were dropped`);
    } else if (s.series >= t.seriesShare * s.maxSeries) {
      f.add('WARN', `${s.series} open series, ${pct(s.series / s.maxSeries)} of its cap of ${s.maxSeries}`);
    }
  }
  return { id: rule.id, ...f.advice() };
}

export function adviseTask(input: AdviceInput, t: AdviceThresholds = DEFAULT_ADVICE_THRESHOLDS): TaskAdvice {
  const f = new Findings();
  if (input.state === 'FAILED') f.add('FAIL', `the task failed${input.lastError ? `: ${input.lastError}` : ''}`);
  else if (input.state !== 'RUNNING') f.add('WARN', `the task is ${input.state.toLowerCase()}`);
  if (input.lagError) f.add('WARN', `consumer lag could not be read: ${input.lagError}`);
  const recent = input.lagReadings.slice(-t.lagReadings);
  if (recent.length >= t.lagReadings && recent.every((lag, i) => i === 0 || lag > recent[i - 1]!)) {
    f.add('WARN', `consumer lag grew at each of the last ${t.lagReadings} readings (${recent.join(' → ')}): the task falls behind its input`);
  }
  const p = input.partitions;
  if (p && p.owned < p.total && input.rules.some((r) => r.kind === 'metric')) {
    f.add(
      'WARN',
      `group ${p.group} shares the input with other members (this one owns ${p.owned} of ${p.total} partitions), and the task has no scaleOut: ` +
        "each member's rows count only its own partitions' events, so a key spread over partitions of several members gets one member's part; set scaleOut",
    );
  }
  const rules = input.rules.map((r) => adviseRule(r, input, t));
  const worst = rules.reduce<Verdict>((v, r) => (rank[r.verdict] > rank[v] ? r.verdict : v), 'OK');
  const own = f.advice(worst);
  const flagged = rules.filter((r) => r.verdict !== 'OK').map((r) => `rule ${r.id}: ${r.verdict}`);
  return { verdict: own.verdict, reasons: [...own.reasons, ...flagged], rules };
}
