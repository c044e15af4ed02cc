// The processed metric stage: widens or rewrites metric rows after aggregation, which is far
// cheaper than processing the raw events they came from. Adds key fields from dimension tables
// (a CMDB's owner and system for a host) and maps values to readable ones (-1 → "failed").
// Lookups are injected and synchronous; the caller keeps the tables cached.

import { z } from 'zod';
import { allOf, compileCondition, conditionSchema } from '../expr/conditions.js';
import { ownField, rowGetter, type MetricRow } from './row.js';
import { parseRule } from './rule-errors.js';
import { nameSchema, ruleHead, ruleIdSchema } from './schema.js';
import { textOf } from './event-field.js';

const fieldPath = z.string().regex(/^(key|values)\.[A-Za-z_][A-Za-z0-9_.-]*$/, 'expected "key.<name>" or "values.<name>"');

const lookupSchema = z
  .object({
    table: z.string().min(1),
    /** Table column → the row field whose value it must equal. */
    match: z.record(z.string(), z.string().min(1)).refine((m) => Object.keys(m).length > 0, 'at least one column to match on'),
    /** New key field → the table column it is copied from. */
    add: z.record(nameSchema, z.string().min(1)).refine((m) => Object.keys(m).length > 0, 'at least one field to add'),
    /** A row without a matching table entry is kept as is, or dropped. */
    onMissing: z.enum(['keep', 'drop']).default('keep'),
  })
  .strict();

const valueMapSchema = z
  .object({
    field: fieldPath,
    map: z.record(z.string(), z.union([z.string(), z.number()])),
    /** Written when no entry matches; without it the original value stays. */
    default: z.union([z.string(), z.number()]).optional(),
    /** Writes the mapped value to another field of the same part, keeping the original. */
    as: nameSchema.optional(),
  })
  .strict();

export const processedRuleSchema = z
  .object({
    ...ruleHead('processed'),
    source: ruleIdSchema,
    where: z.array(conditionSchema).default([]),
    lookups: z.array(lookupSchema).default([]),
    valueMaps: z.array(valueMapSchema).default([]),
  })
  .strict();

export type ProcessedRule = z.output<typeof processedRuleSchema>;

export function validateProcessedRule(input: unknown): ProcessedRule {
  return parseRule(processedRuleSchema, input, 'processed');
}

/** Finds the dimension-table entry whose columns equal `match`, or undefined. */
export type DimensionLookup = (table: string, match: Record<string, string>) => Record<string, unknown> | undefined;

export interface MetricProcessor {
  readonly rule: ProcessedRule;
  process(row: MetricRow): MetricRow[];
  stats(): { received: number; emitted: number; filtered: number; dropped: number; lookupMisses: number };
}

export function createMetricProcessor(input: unknown, deps: { lookup: DimensionLookup }): MetricProcessor {
  const rule = validateProcessedRule(input);
  const where = allOf(rule.where.map((c) => compileCondition(c, rowGetter(c.field))));
  const lookups = rule.lookups.map((l) => ({ ...l, getters: Object.entries(l.match).map(([col, path]) => [col, rowGetter(path)] as const) }));
  const maps = rule.valueMaps.map((m) => {
    const part = m.field.startsWith('key.') ? ('key' as const) : ('values' as const);
    const name = m.field.slice(part.length + 1);
    return { ...m, part, name, target: m.as ?? name };
  });
  const s = { received: 0, emitted: 0, filtered: 0, dropped: 0, lookupMisses: 0 };

  return {
    rule,
    process(row) {
      s.received++;
      if (!where(row)) return (s.filtered++, []);
      const out: MetricRow = { ...row, ruleId: rule.id, key: { ...row.key }, values: { ...row.values } };
      for (const l of lookups) {
        const match: Record<string, string> = {};
        for (const [col, get] of l.getters) match[col] = textOf(get(row));
        const entry = deps.lookup(l.table, match);
        if (entry === undefined) {
          s.lookupMisses++;
          if (l.onMissing === 'drop') return (s.dropped++, []);
          continue;
        }
        for (const [field, col] of Object.entries(l.add)) out.key[field] = textOf(ownField(entry, col));
      }
      for (const m of maps) {
        const current = ownField(out[m.part], m.name);
        if (current === undefined) continue;
        const k = textOf(current);
        const mapped = Object.hasOwn(m.map, k) ? m.map[k] : m.default;
        if (mapped === undefined) continue;
        if (m.part === 'key') out.key[m.target] = textOf(mapped);
        else out.values[m.target] = mapped;
      }
      s.emitted++;
      return [out];
    },
    stats: () => ({ ...s }),
  };
}
