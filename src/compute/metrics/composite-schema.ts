// Composite metric rules: a formula over aliased sources (metric rows or alerts, each filtered,
// scored and reduced), or a join of two metric streams on key fields. Checked on load against
// the rules they read, so an unknown alias, a missing field or a period shorter than a source's
// is refused with the field and the reason.

import { z } from 'zod';
import { conditionSchema } from '../expr/conditions.js';
import { FORMULA_FUNCTIONS, FormulaError, parseFormula } from '../expr/formula.js';
import { periodToMs } from '../windows/period.js';
import { parseRule, refineUnique } from './rule-errors.js';
import { nameSchema, periodSchema, ruleHead, ruleIdSchema } from './schema.js';
import { REDUCTIONS, scoreMappingSchema, type ScoreMapping } from './score.js';

const aliasSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9]{0,31}$/, 'an alias is letters and digits starting with a letter, such as A1')
  .refine((a) => !FORMULA_FUNCTIONS.includes(a), (a) => ({ message: `"${a}" is a formula function and cannot be an alias` }));

const sourceSchema = z
  .object({
    alias: aliasSchema,
    metric: ruleIdSchema.optional(),
    alerts: ruleIdSchema.optional(),
    /** The value of the metric row to read; counts need none. */
    value: nameSchema.optional(),
    /** Fixed-value filters on the source rows ("only host 10.0.0.1"). */
    where: z.array(conditionSchema).default([]),
    score: z.union([nameSchema, scoreMappingSchema]).optional(),
    reduce: z.enum(REDUCTIONS),
    /** For count_distinct: the row field counted once per value (key.host). */
    distinctBy: z.string().min(1).optional(),
    /** Used when the group got nothing from this source in the window; without it no row is emitted. */
    default: z.number().finite().optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if ((s.metric === undefined) === (s.alerts === undefined)) ctx.addIssue({ code: 'custom', path: ['metric'], message: 'name exactly one of metric or alerts' });
    const counts = s.reduce === 'count' || s.reduce === 'count_distinct';
    if (s.alerts !== undefined) {
      if (!counts) ctx.addIssue({ code: 'custom', path: ['reduce'], message: 'alerts can only be counted: use count or count_distinct' });
      if (s.value !== undefined || s.score !== undefined) ctx.addIssue({ code: 'custom', path: [s.value !== undefined ? 'value' : 'score'], message: 'alerts carry no value to read or score' });
    } else if (s.metric !== undefined && s.value === undefined && !counts) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `reduce ${s.reduce} needs the value to read` });
    }
    if (s.reduce === 'count_distinct' && s.distinctBy === undefined) ctx.addIssue({ code: 'custom', path: ['distinctBy'], message: 'count_distinct needs distinctBy' });
    if (s.reduce !== 'count_distinct' && s.distinctBy !== undefined) ctx.addIssue({ code: 'custom', path: ['distinctBy'], message: 'distinctBy is only for count_distinct' });
  });
export type CompositeSource = z.output<typeof sourceSchema>;

const common = {
  ...ruleHead('composite'),
  period: periodSchema,
  label: z.enum(['backward', 'forward']).default('backward'),
  maxSeries: z.number().int().positive().default(100_000),
};

const formulaSchema = z
  .object({
    ...common,
    type: z.literal('formula'),
    groupBy: z.array(nameSchema).default([]),
    sources: z.array(sourceSchema).min(1, 'at least one source is needed'),
    scores: z.record(nameSchema, scoreMappingSchema).default({}),
    formula: z.string(),
    as: nameSchema.default('value'),
  })
  .strict();

function refineFormula(r: z.output<typeof formulaSchema>, ctx: z.RefinementCtx): void {
  const aliases = r.sources.map((s) => s.alias);
  refineUnique(aliases, ctx, ['sources'], 'alias');
  refineUnique(r.groupBy, ctx, ['groupBy'], 'group-by field');
  if (aliases.includes(r.as)) ctx.addIssue({ code: 'custom', path: ['as'], message: `"${r.as}" is also an alias; the output value needs its own name` });
  try {
    parseFormula(r.formula, aliases);
  } catch (e) {
    if (!(e instanceof FormulaError)) throw e;
    ctx.addIssue({ code: 'custom', path: ['formula'], message: e.message });
  }
}

const sideSchema = z.object({ alias: aliasSchema, metric: ruleIdSchema, where: z.array(conditionSchema).default([]) }).strict();

const joinSchema = z
  .object({
    ...common,
    type: z.literal('join'),
    left: sideSchema,
    right: sideSchema,
    on: z.array(z.object({ left: nameSchema, right: nameSchema }).strict()).min(1, 'a join needs at least one pair of key fields'),
  })
  .strict();

export const compositeSchema = z.preprocess(
  (v) => (typeof v === 'object' && v !== null && !Array.isArray(v) && !('type' in v) ? { ...v, type: 'formula' } : v),
  z.discriminatedUnion('type', [formulaSchema, joinSchema]).superRefine((r, ctx) => {
    if (r.type === 'formula') refineFormula(r, ctx);
    else if (r.left.alias === r.right.alias) ctx.addIssue({ code: 'custom', path: ['right', 'alias'], message: `both sides are called "${r.left.alias}"` });
  }),
);

export type CompositeRule = z.output<typeof compositeSchema>;
export type FormulaCompositeRule = Extract<CompositeRule, { type: 'formula' }>;
export type JoinCompositeRule = Extract<CompositeRule, { type: 'join' }>;

/** What a composite may read from another rule: its period, key fields and value names. */
export interface CompositeSourceInfo {
  kind: 'metric' | 'alert';
  period: string;
  keys: readonly string[];
  values?: readonly string[];
}

/**
 * Checks a composite rule, and checks it against the rules it reads (by rule id): each must
 * exist and be of the right kind, its period must not exceed the composite's, and the group-by,
 * value and join fields must be ones it emits. `scores` is the shared library of score mappings.
 */
export function validateCompositeRule(
  input: unknown,
  sources: Readonly<Record<string, CompositeSourceInfo>>,
  scores: Readonly<Record<string, ScoreMapping>> = {},
): CompositeRule {
  return parseRule(compositeSchema.superRefine((r, ctx) => checkReferences(r, sources, scores, ctx)), input, 'composite');
}

function checkReferences(
  r: CompositeRule,
  sources: Readonly<Record<string, CompositeSourceInfo>>,
  scores: Readonly<Record<string, ScoreMapping>>,
  ctx: z.RefinementCtx,
): void {
  const issue = (path: Array<string | number>, message: string) => ctx.addIssue({ code: 'custom', path, message });
  const periodMs = periodToMs(r.period);
  const resolve = (path: Array<string | number>, alias: string, id: string, kind: 'metric' | 'alert') => {
    const info = Object.hasOwn(sources, id) ? sources[id] : undefined;
    if (info === undefined || info.kind !== kind) return void issue(path, `unknown ${kind} rule "${id}"`);
    if (periodToMs(info.period) > periodMs) issue(['period'], `${r.period} is shorter than the period ${info.period} of source ${alias} ("${id}"); a composite period must be at least its sources'`);
    return info;
  };
  const hasField = (info: CompositeSourceInfo, path: string) => {
    if (path.startsWith('key.')) return info.keys.includes(path.slice(4));
    if (path.startsWith('values.')) return info.values === undefined || info.values.includes(path.slice(7));
    return info.keys.includes(path) || info.values === undefined || info.values.includes(path);
  };

  if (r.type === 'join') {
    const left = resolve(['left', 'metric'], r.left.alias, r.left.metric, 'metric');
    const right = resolve(['right', 'metric'], r.right.alias, r.right.metric, 'metric');
    r.on.forEach((pair, i) => {
      if (left && !left.keys.includes(pair.left)) issue(['on', i, 'left'], `source ${r.left.alias} ("${r.left.metric}") has no key field "${pair.left}"`);
      if (right && !right.keys.includes(pair.right)) issue(['on', i, 'right'], `source ${r.right.alias} ("${r.right.metric}") has no key field "${pair.right}"`);
    });
    return;
  }
  r.sources.forEach((s, i) => {
    const info = s.metric !== undefined ? resolve(['sources', i, 'metric'], s.alias, s.metric, 'metric') : resolve(['sources', i, 'alerts'], s.alias, s.alerts!, 'alert');
    if (typeof s.score === 'string' && !Object.hasOwn(r.scores, s.score) && !Object.hasOwn(scores, s.score)) {
      issue(['sources', i, 'score'], `unknown score mapping "${s.score}"`);
    }
    if (!info) return;
    for (const g of r.groupBy) if (!info.keys.includes(g)) issue(['groupBy'], `source ${s.alias} ("${s.metric ?? s.alerts}") has no key field "${g}"`);
    if (s.value !== undefined && info.values !== undefined && !info.values.includes(s.value)) issue(['sources', i, 'value'], `source rule "${s.metric}" has no value "${s.value}" (it has ${info.values.join(', ')})`);
    if (s.distinctBy !== undefined && !hasField(info, s.distinctBy)) issue(['sources', i, 'distinctBy'], `source ${s.alias} has no field "${s.distinctBy}"`);
  });
}
