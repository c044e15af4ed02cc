// Alert rules: conditions on a metric's rows (all ANDed: operators, dynamic baselines,
// period-over-period), how long they must hold (for) and keep holding after they stop
// (keepFiringFor), how often a firing alert repeats, its labels and its message template.

import { z } from 'zod';
import { CONDITION_OPS, conditionValueProblem, conditionValueSchema } from '../expr/conditions.js';
import { parseRule } from '../metrics/rule-errors.js';
import { nameSchema, ruleHead, ruleIdSchema, timeZoneSchema } from '../metrics/schema.js';
import { parseDuration } from '../windows/duration.js';
import { baselineSchema } from './baseline.js';
import { changeSchema } from './change.js';
import { parseTemplate } from './template.js';

export const durationSchema = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const ms = parseDuration(v);
  if (typeof ms === 'number') return ms;
  ctx.addIssue({ code: 'custom', message: ms.error });
  return z.NEVER;
});

const whenSchema = z
  .object({
    field: z.string().min(1).optional(),
    op: z.enum(CONDITION_OPS).optional(),
    value: conditionValueSchema.optional(),
    baseline: baselineSchema.optional(),
    change: changeSchema.optional(),
  })
  .strict()
  .superRefine((w, ctx) => {
    const plain = w.field !== undefined || w.op !== undefined || w.value !== undefined;
    if (Number(plain) + Number(w.baseline !== undefined) + Number(w.change !== undefined) !== 1) {
      ctx.addIssue({ code: 'custom', message: 'a condition is one of {field, op, value}, {baseline: ...} or {change: ...}' });
      return;
    }
    if (!plain) return;
    for (const k of ['field', 'op', 'value'] as const) if (w[k] === undefined) ctx.addIssue({ code: 'custom', path: [k], message: `${k} is required` });
    if (w.op !== undefined && w.value !== undefined) {
      const problem = conditionValueProblem(w.op, w.value);
      if (problem) ctx.addIssue({ code: 'custom', path: ['value'], message: problem });
    }
  });
export type WhenClause = z.output<typeof whenSchema>;

const templateSchema = z.string().superRefine((t, ctx) => {
  const parsed = parseTemplate(t);
  if ('error' in parsed) ctx.addIssue({ code: 'custom', message: parsed.error });
});

export const alertRuleSchema = z
  .object({
    ...ruleHead('alert'),
    /** The metric (simple, processed or composite) whose rows are evaluated. */
    metric: ruleIdSchema,
    when: z.array(whenSchema).min(1, 'at least one condition is needed'),
    /** How long the conditions must hold (in metric time) before pending turns firing. */
    for: durationSchema.default(0),
    /** How long a firing alert stays firing after its conditions stop holding. */
    keepFiringFor: durationSchema.default(0),
    /** How often a still-firing alert is notified again. */
    repeatInterval: durationSchema.default('1h'),
    labels: z.record(nameSchema, z.string()).default({}),
    message: templateSchema.default('{{ruleId}} {{state}}: {{key}} {{values}}'),
    /** Zone for time ranges and for times printed in messages. */
    timezone: timeZoneSchema.default('UTC'),
    /** A series with no row in a window (a count with no events): resolve counts it as not met; keep leaves the alert as it is. */
    absent: z.enum(['resolve', 'keep']).default('resolve'),
  })
  .strict();

export type AlertRule = z.output<typeof alertRuleSchema>;

/** What the alert may rely on in its metric's rows, to check field and template references. */
export interface AlertSourceInfo {
  keys: readonly string[];
  values: readonly string[];
}

/** Checks an alert rule, and when the metric's fields are known, every field it names. */
export function validateAlertRule(input: unknown, source?: AlertSourceInfo): AlertRule {
  if (!source) return parseRule(alertRuleSchema, input, 'alert');
  return parseRule(alertRuleSchema.superRefine((r, ctx) => checkFields(r, source, ctx)), input, 'alert');
}

function checkFields(r: AlertRule, src: AlertSourceInfo, ctx: z.RefinementCtx): void {
  const known = (path: string): boolean => {
    if (['label', 'windowStart', 'windowEnd', 'ruleId'].includes(path)) return true;
    if (path.startsWith('key.')) return src.keys.includes(path.slice(4));
    if (path.startsWith('values.')) return src.values.includes(path.slice(7));
    return src.keys.includes(path) || src.values.includes(path);
  };
  const listing = [...src.keys.map((f) => `key.${f}`), ...src.values.map((f) => `values.${f}`)].join(', ');
  r.when.forEach((w, i) => {
    const [path, field] = w.baseline ? [['when', i, 'baseline', 'field'], w.baseline.field] : w.change ? [['when', i, 'change', 'field'], w.change.field] : [['when', i, 'field'], w.field!];
    if (!known(field)) ctx.addIssue({ code: 'custom', path, message: `metric "${r.metric}" has no field "${field}" (it has ${listing})` });
  });
  const parts = parseTemplate(r.message);
  if (Array.isArray(parts)) {
    for (const p of parts) {
      if (typeof p === 'string' || p.name === undefined || p.root === 'labels') continue;
      if (!known(`${p.root}.${p.name}`)) ctx.addIssue({ code: 'custom', path: ['message'], message: `"{{${p.root}.${p.name}}}" names a field metric "${r.metric}" does not have` });
    }
  }
}
