// The simple metric rule: group-by fields, where-filters, one statistics period and the
// aggregations of the reference platform (value, max, min, avg, sum, distinct values, distinct
// count, count, ratio per enum value, TopN). Checked on load; the aggregator trusts its output.

import { z } from 'zod';
import { CONDITION_OPS, conditionValueProblem, conditionValueSchema, type Condition } from '../expr/conditions.js';
import { isValidTimeZone } from '../expr/time-range.js';
import { PERIOD_NAMES } from '../windows/period.js';
import { parseRule, refineUnique } from './rule-errors.js';

export const AGGREGATIONS = ['value', 'max', 'min', 'avg', 'sum', 'distinct_values', 'distinct_count', 'count', 'ratio', 'topn'] as const;
export type AggregationFn = (typeof AGGREGATIONS)[number];

/** Aggregations that turn one group into several rows; each needs a rule of its own. */
export const EXPANDING: ReadonlySet<AggregationFn> = new Set(['ratio', 'topn']);

/** Where-only operators: keep the event of the group whose field is the largest (smallest). */
export const PICK_OPS = ['eq_max', 'eq_min'] as const;

export const ruleIdSchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'expected 1-128 letters, digits or _ . : -');
export const nameSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/, 'expected a name of letters, digits, _ . - starting with a letter or _');

/** The fields every stored rule starts with. */
export function ruleHead<K extends string>(kind: K) {
  return { id: ruleIdSchema, kind: z.literal(kind).optional(), description: z.string().optional() };
}

export const periodSchema = z.preprocess(
  (v) => (typeof v === 'number' ? `${v}m` : v),
  z.string().refine((p) => PERIOD_NAMES.includes(p), (p) => ({ message: `expected one of ${PERIOD_NAMES.join(', ')}, got "${p}"` })),
);

export const timeZoneSchema = z
  .string()
  .refine(isValidTimeZone, (tz) => ({ message: `unknown time zone "${tz}" (expected an IANA name such as "Asia/Shanghai")` }));

export interface TopNSpec {
  valueField: string;
  displayField: string;
  n: number;
}

export const MAX_TOPN = 1000;

/** "cost#service_name#10" → its three parts, or why the spec is malformed. */
export function parseTopNSpec(spec: string): TopNSpec | { error: string } {
  const parts = spec.split('#');
  const shape = `TopN spec "${spec}" must be valueField#displayField#N`;
  if (parts.length !== 3) return { error: `${shape}; it has ${parts.length} part(s)` };
  const [valueField, displayField, count] = parts.map((p) => p.trim()) as [string, string, string];
  if (valueField === '') return { error: `${shape}; the value field is empty` };
  if (displayField === '') return { error: `${shape}; the display field is empty` };
  if (!/^\d+$/.test(count)) return { error: `${shape}; N "${count}" is not a whole number` };
  const n = Number(count);
  if (n < 1 || n > MAX_TOPN) return { error: `${shape}; N ${n} is out of 1..${MAX_TOPN}` };
  return { valueField, displayField, n };
}

const aggregationSchema = z
  .object({ as: nameSchema, fn: z.enum(AGGREGATIONS), field: z.string().min(1).optional() })
  .strict()
  .superRefine((a, ctx) => {
    if (a.fn === 'count') {
      if (a.field !== undefined) ctx.addIssue({ code: 'custom', path: ['field'], message: 'count counts events and takes no field' });
      return;
    }
    if (a.field === undefined) {
      ctx.addIssue({ code: 'custom', path: ['field'], message: `${a.fn} needs a field` + (a.fn === 'topn' ? ' of the form valueField#displayField#N' : '') });
      return;
    }
    if (a.fn === 'topn') {
      const spec = parseTopNSpec(a.field);
      if ('error' in spec) ctx.addIssue({ code: 'custom', path: ['field'], message: spec.error });
    }
  });
export type Aggregation = z.output<typeof aggregationSchema>;

const whereSchema = z
  .object({ field: z.string().min(1), op: z.enum([...CONDITION_OPS, ...PICK_OPS]), value: conditionValueSchema.optional() })
  .strict()
  .superRefine((c, ctx) => {
    const pick = (PICK_OPS as readonly string[]).includes(c.op);
    if (pick && c.value !== undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: `operator "${c.op}" takes no value` });
    if (pick || c.value === undefined) {
      if (!pick) ctx.addIssue({ code: 'custom', path: ['value'], message: `operator "${c.op}" needs a value` });
      return;
    }
    const problem = conditionValueProblem(c.op as Condition['op'], c.value);
    if (problem) ctx.addIssue({ code: 'custom', path: ['value'], message: problem });
  });
export type WhereClause = z.output<typeof whereSchema>;

export const metricRuleSchema = z
  .object({
    ...ruleHead('metric'),
    period: periodSchema,
    label: z.enum(['backward', 'forward']).default('backward'),
    groupBy: z.array(nameSchema).default([]),
    where: z.array(whereSchema).default([]),
    aggregations: z.array(aggregationSchema).min(1, 'at least one aggregation is needed'),
    /** Zone in which time_in / time_outside filters read event times. */
    timezone: timeZoneSchema.default('UTC'),
    /** Series per window; past it new series are dropped and reported as a metric storm. */
    maxSeries: z.number().int().positive().default(100_000),
  })
  .strict()
  .superRefine((r, ctx) => {
    refineUnique(r.groupBy, ctx, ['groupBy'], 'group-by field');
    refineUnique(
      r.aggregations.map((a) => a.as),
      ctx,
      ['aggregations'],
      'aggregation name',
    );
    r.aggregations.forEach((a, i) => {
      if (EXPANDING.has(a.fn) && r.aggregations.length > 1) {
        ctx.addIssue({ code: 'custom', path: ['aggregations', i, 'fn'], message: `${a.fn} emits one row per ${a.fn === 'ratio' ? 'enum value' : 'rank'} and must be the rule's only aggregation` });
      }
      if (a.fn === 'topn' && a.field) {
        const spec = parseTopNSpec(a.field);
        if (!('error' in spec)) {
          for (const clash of [spec.displayField, 'rank']) {
            if (r.groupBy.includes(clash)) ctx.addIssue({ code: 'custom', path: ['aggregations', i, 'field'], message: `TopN adds key field "${clash}", which is already a group-by field` });
          }
        }
      }
    });
    const picks = r.where.flatMap((w, i) => ((PICK_OPS as readonly string[]).includes(w.op) ? [i] : []));
    if (picks.length > 1) ctx.addIssue({ code: 'custom', path: ['where', picks[1]!, 'op'], message: 'only one eq_max / eq_min filter is allowed per rule' });
    if (picks.length > 0 && r.aggregations.some((a) => a.fn !== 'value')) {
      ctx.addIssue({ code: 'custom', path: ['where', picks[0]!, 'op'], message: `${r.where[picks[0]!]!.op} picks one event per group and works only with "value" aggregations` });
    }
  });

export type MetricRuleInput = z.input<typeof metricRuleSchema>;
export type MetricRule = z.output<typeof metricRuleSchema>;

/** Checks a simple metric rule; throws BAD_USER_INPUT naming every offending field. */
export function validateMetricRule(input: unknown): MetricRule {
  return parseRule(metricRuleSchema, input, 'metric');
}

/** What downstream rules (processed, composite, alert) may rely on in this rule's rows. */
export interface MetricSourceInfo {
  period: string;
  keys: string[];
  values: string[];
}

export function describeMetricRule(rule: MetricRule): MetricSourceInfo {
  const only = rule.aggregations[0]!;
  const keys = [...rule.groupBy];
  if (only.fn === 'ratio' && !keys.includes(only.field!)) keys.push(only.field!);
  if (only.fn === 'topn') {
    const spec = parseTopNSpec(only.field!) as TopNSpec;
    keys.push(spec.displayField, 'rank');
  }
  return { period: rule.period, keys, values: rule.aggregations.map((a) => a.as) };
}
