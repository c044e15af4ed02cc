// The saved form of an alert evaluator's state, the part that must outlive a restart or a rule
// reload: each alert's lifecycle, its dynamic-baseline and period-over-period history, and the last
// row it saw. Versioned and JSON-safe (no NaN, Infinity or undefined); checked field by field when
// it comes back, so a damaged or foreign state is refused with the field that is wrong.

import { z } from 'zod';
import { badInput } from '../../errors/index.js';
import { finite, parseSavedState, savedRowSchema } from '../metrics/saved-state.js';
import type { MetricRow } from '../metrics/row.js';
import type { BaselineState } from './baseline.js';
import type { ChangeState } from './change.js';
import type { Lifecycle } from './lifecycle.js';

/** What the evaluator keeps per alert (rule and metric key). */
export interface SeriesState {
  lc: Lifecycle;
  baselines: BaselineState[];
  changes: ChangeState[];
  lastRow: MetricRow;
  /** The repartition partition its rows come through, in a scale-out task: saved under it, not in it. */
  part?: number;
}

const num = finite;
const time = num.nullable();

const seriesSchema = z
  .object({
    fingerprint: z.string().min(1),
    lifecycle: z
      .object({ state: z.enum(['inactive', 'pending', 'firing']), activeSince: time, lastAt: time, falseSince: time, lastNotifiedAt: time })
      .strict(),
    baselines: z.array(z.object({ n: z.number().int().min(0), mean: num, variance: num.min(0), recent: z.array(num), outside: z.number().int().min(0) }).strict()),
    // A history's labels are kept as steps from the one before (the first from 0): a day of minutes
    // is then a run of 60000s instead of a run of 13-digit times.
    changes: z.array(
      z
        .object({ steps: z.array(num), values: z.array(num) })
        .strict()
        .refine((c) => c.steps.length === c.values.length, 'steps and values differ in length'),
    ),
    lastRow: savedRowSchema,
  })
  .strict();

export const alertStateSchema = z.object({ version: z.literal(1), ruleId: z.string().min(1), series: z.array(seriesSchema) }).strict();

export type AlertEvaluatorState = z.output<typeof alertStateSchema>;

const orNull = (n: number | undefined): number | null => (n !== undefined && Number.isFinite(n) ? n : null);

/** The evaluator's series as a saved state; copies, so later evaluations do not change it. */
export function saveAlertState(ruleId: string, series: ReadonlyMap<string, SeriesState>): AlertEvaluatorState {
  return {
    version: 1,
    ruleId,
    series: [...series].map(([fingerprint, st]) => ({
      fingerprint,
      lifecycle: { state: st.lc.state, activeSince: orNull(st.lc.activeSince), lastAt: orNull(st.lc.lastAt), falseSince: orNull(st.lc.falseSince), lastNotifiedAt: orNull(st.lc.lastNotifiedAt) },
      baselines: st.baselines.map((b) => ({ n: b.n, mean: b.mean, variance: b.variance, recent: [...b.recent], outside: b.outside })),
      changes: st.changes.map((c) => ({ steps: c.history.map(([l], i) => l - (i > 0 ? c.history[i - 1]![0] : 0)), values: c.history.map(([, v]) => v) })),
      lastRow: structuredClone(st.lastRow),
    })),
  };
}

/**
 * Checks a saved state against the rule it is restored into (its id, and how many baseline and
 * change conditions it has) and turns it back into series. Throws BAD_INPUT naming the field.
 */
export function loadAlertState(input: unknown, rule: { id: string; baselines: number; changes: number }): Map<string, SeriesState> {
  const st = parseSavedState(alertStateSchema, input, `alert rule "${rule.id}"`);
  if (st.ruleId !== rule.id) throw badInput(`restore: the saved state of alert rule "${st.ruleId}" does not belong to rule "${rule.id}"`);
  const out = new Map<string, SeriesState>();
  st.series.forEach((s, i) => {
    if (s.baselines.length !== rule.baselines || s.changes.length !== rule.changes) {
      throw badInput(`restore: series[${i}] of alert rule "${rule.id}" has ${s.baselines.length} baseline and ${s.changes.length} change histories; the rule has ${rule.baselines} and ${rule.changes}`);
    }
    const lc = s.lifecycle;
    out.set(s.fingerprint, {
      lc: { state: lc.state, activeSince: lc.activeSince ?? Number.NaN, lastAt: lc.lastAt ?? Number.NEGATIVE_INFINITY, falseSince: lc.falseSince ?? undefined, lastNotifiedAt: lc.lastNotifiedAt ?? undefined },
      baselines: s.baselines,
      changes: s.changes.map((c) => {
        let label = 0;
        return { history: c.steps.map((d, i) => [(label += d), c.values[i]!] as [number, number]) };
      }),
      lastRow: s.lastRow as MetricRow,
    });
  });
  return out;
}
