// A process rule turns events of data type A into events of data type B: an optional where-filter,
// then steps (dimension-table enrichment, time alignment, timestamp unification, IP -> region,
// receive time), and copying the same-name fields no step sets.

import { z } from 'zod';
import { columnName, fieldPath, ruleBase, ruleId, scalar, timeFormat, timeZone } from './common.js';

export const WHERE_OPS = ['equals', 'notEquals', 'in', 'notIn', 'contains', 'startsWith', 'endsWith', 'exists', 'notExists'] as const;
export const MATCH_KINDS = ['equals', 'containsAll', 'sqlToken'] as const;
export type MatchKind = (typeof MATCH_KINDS)[number];

export const whereSchema = z
  .object({
    field: fieldPath,
    op: z.enum(WHERE_OPS),
    value: z.union([scalar, z.array(scalar).min(1).max(1024)]).optional(),
  })
  .strict();

export const matchSchema = z
  .object({
    /**
     * equals: column = field. containsAll: the column holds `a|b|c` and the field contains every
     * part. sqlToken: the column value occurs in the field as a whole word, bounded by the ends,
     * whitespace or punctuation, so table `order` does not match inside `order_item`.
     */
    kind: z.enum(MATCH_KINDS),
    column: columnName,
    field: fieldPath,
    ignoreCase: z.boolean().default(false),
  })
  .strict();

const enrichStep = z
  .object({
    op: z.literal('enrich'),
    dimension: ruleId,
    /** All must hold; equals conditions are checked first whatever the order here. */
    match: z.array(matchSchema).min(1).max(16),
    /** Target field <- dimension column. */
    set: z.record(fieldPath, columnName),
    onMiss: z.enum(['keep', 'drop']).default('keep'),
    /** Values written when no row matches (with onMiss: keep). */
    defaults: z.record(fieldPath, scalar).optional(),
  })
  .strict();

const alignTimeStep = z
  .object({
    op: z.literal('alignTime'),
    field: fieldPath.default('ts'),
    to: fieldPath.optional(),
    unit: z.enum(['second', 'minute', 'hour', 'day']).default('minute'),
    /** Left out: the same kind as the input (epoch ms stays epoch ms, a string becomes yyyy-MM-dd HH:mm:ss). */
    format: timeFormat.optional(),
    timeZone: timeZone.default('UTC'),
  })
  .strict();

const unifyTimeStep = z
  .object({
    op: z.literal('unifyTime'),
    field: fieldPath,
    to: fieldPath.optional(),
    format: timeFormat.default('yyyy-MM-dd HH:mm:ss'),
    /** Zone for reading zone-less strings and for writing wall-clock formats. */
    timeZone: timeZone.default('UTC'),
  })
  .strict();

const ipRegionStep = z
  .object({
    op: z.literal('ipRegion'),
    field: fieldPath,
    /** Receives the ISO country code (CN, US...). */
    to: fieldPath,
    regionTo: fieldPath.optional(),
    cityTo: fieldPath.optional(),
  })
  .strict();

const receiveTimeStep = z
  .object({
    op: z.literal('receiveTime'),
    to: fieldPath.default('receivedAt'),
    format: timeFormat.default('epochMs'),
    timeZone: timeZone.default('UTC'),
  })
  .strict();

export const stepSchema = z.discriminatedUnion('op', [enrichStep, alignTimeStep, unifyTimeStep, ipRegionStep, receiveTimeStep]);

export const processRule = z
  .object({
    ...ruleBase,
    kind: z.literal('process'),
    from: ruleId,
    to: ruleId,
    where: z.array(whereSchema).max(32).default([]),
    steps: z.array(stepSchema).max(64).default([]),
    /** Copy the fields of A that B declares (all of them when B declares none) and no step sets. */
    copySameName: z.boolean().default(true),
  })
  .strict();

export type ProcessRule = z.output<typeof processRule>;
export type ProcessStep = z.output<typeof stepSchema>;
export type EnrichStep = z.output<typeof enrichStep>;
export type WhereCondition = z.output<typeof whereSchema>;
export type MatchCondition = z.output<typeof matchSchema>;

/** The fields a step writes, for checking them against the target type's declared fields. */
export function stepTargets(step: ProcessStep): string[] {
  switch (step.op) {
    case 'enrich':
      return [...Object.keys(step.set), ...Object.keys(step.defaults ?? {})];
    case 'alignTime':
      return [step.to ?? step.field];
    case 'unifyTime':
      return [step.to ?? step.field];
    case 'ipRegion':
      return [step.to, ...(step.regionTo ? [step.regionTo] : []), ...(step.cityTo ? [step.cityTo] : [])];
    case 'receiveTime':
      return [step.to];
  }
}

export function refineProcess(rule: ProcessRule, ctx: z.RefinementCtx): void {
  if (rule.from === rule.to) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'must differ from `from` (a process rule turns type A into type B)' });
  }
  rule.where.forEach((w, i) => {
    const many = w.op === 'in' || w.op === 'notIn';
    const none = w.op === 'exists' || w.op === 'notExists';
    if (none && w.value !== undefined) ctx.addIssue({ code: 'custom', path: ['where', i, 'value'], message: `is not used by op ${w.op}` });
    if (!none && w.value === undefined) ctx.addIssue({ code: 'custom', path: ['where', i, 'value'], message: `is required by op ${w.op}`, params: { echo: false } });
    if (!many && Array.isArray(w.value)) ctx.addIssue({ code: 'custom', path: ['where', i, 'value'], message: `expected one value for op ${w.op} (a list is for in|notIn)` });
  });
  rule.steps.forEach((step, i) => {
    const format = 'format' in step ? step.format : undefined;
    if (step.op !== 'enrich' && step.op !== 'ipRegion' && stepTargets(step).includes('ts') && format !== undefined && format !== 'epochMs') {
      ctx.addIssue({ code: 'custom', path: ['steps', i, 'format'], message: 'the event time ts holds epoch ms; write other formats to another field' });
    }
    if (step.op === 'enrich' && Object.keys(step.set).length === 0) {
      ctx.addIssue({ code: 'custom', path: ['steps', i, 'set'], message: 'expected at least one target field', params: { echo: false } });
    }
  });
}
