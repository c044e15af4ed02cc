// The condition operators shared by metric where-filters, composite source filters and alert
// rules (=, in, not in, >=, <=, !=, time in/outside ranges, starts/ends with and their
// negations). A condition is checked once when its rule loads and compiled to a predicate.

import { z } from 'zod';
import { inAnyRange, parseTimeRanges, secondOfDayOf, zoneClock, type TimeRange } from './time-range.js';

export const CONDITION_OPS = [
  '=',
  '!=',
  '>=',
  '<=',
  '>',
  '<',
  'in',
  'not_in',
  'time_in',
  'time_outside',
  'starts_with',
  'not_starts_with',
  'ends_with',
  'not_ends_with',
] as const;
export type ConditionOp = (typeof CONDITION_OPS)[number];

export type ConditionValue = string | number | Array<string | number>;

export interface Condition {
  field: string;
  op: ConditionOp;
  value: ConditionValue;
}

export const conditionValueSchema = z.union([z.string(), z.number(), z.array(z.union([z.string(), z.number()])).min(1)]);

/** Why a value does not suit an operator, or undefined when it does. */
export function conditionValueProblem(op: ConditionOp, value: ConditionValue): string | undefined {
  switch (op) {
    case '>=':
    case '<=':
    case '>':
    case '<':
      return toNumber(value) === undefined ? `operator "${op}" needs a number, got ${JSON.stringify(value)}` : undefined;
    case 'time_in':
    case 'time_outside': {
      if (typeof value !== 'string') return `operator "${op}" needs ranges such as "20:00:00-23:59:59,00:00:00-08:00:00", got ${JSON.stringify(value)}`;
      const r = parseTimeRanges(value);
      return 'error' in r ? r.error : undefined;
    }
    case 'in':
    case 'not_in':
      return listOf(value).length === 0 ? `operator "${op}" needs at least one value` : undefined;
    case 'starts_with':
    case 'not_starts_with':
    case 'ends_with':
    case 'not_ends_with':
      return Array.isArray(value) ? `operator "${op}" needs one string, got a list` : undefined;
    default:
      return Array.isArray(value) ? `operator "${op}" needs one value, got a list (use "in")` : undefined;
  }
}

/** Adds a value check to a condition schema, reported at `value` so messages name the field. */
export function refineCondition(c: Condition, ctx: z.RefinementCtx): void {
  const problem = conditionValueProblem(c.op, c.value);
  if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['value'], message: problem });
}

export const conditionSchema = z
  .object({ field: z.string().min(1), op: z.enum(CONDITION_OPS), value: conditionValueSchema })
  .strict()
  .superRefine(refineCondition);

export interface CompileOptions {
  /** IANA zone in which time ranges are read; UTC when absent. */
  timeZone?: string;
}

/**
 * A predicate over whatever `get` reads the field from (events, metric rows). A missing field
 * fails every operator, the negated ones included, as NULL does in SQL: "result != 1" says
 * nothing about a row without a result. A number in the rule compares numerically ("-1" = -1);
 * a string compares as text.
 */
export function compileCondition<T>(c: Condition, get: (x: T) => unknown, opts: CompileOptions = {}): (x: T) => boolean {
  const v = c.value;
  switch (c.op) {
    case '=':
    case '!=': {
      const want = c.op === '=';
      if (typeof v === 'number') {
        return (x) => {
          const n = toNumber(get(x));
          return n !== undefined && (n === v) === want;
        };
      }
      const s = String(v);
      return (x) => {
        const f = get(x);
        return f != null && (String(f) === s) === want;
      };
    }
    case '>=':
    case '<=':
    case '>':
    case '<': {
      const t = toNumber(v)!;
      const cmp = c.op === '>=' ? (n: number) => n >= t : c.op === '<=' ? (n: number) => n <= t : c.op === '>' ? (n: number) => n > t : (n: number) => n < t;
      return (x) => {
        const n = toNumber(get(x));
        return n !== undefined && cmp(n);
      };
    }
    case 'in':
    case 'not_in': {
      const set = new Set(listOf(v));
      const want = c.op === 'in';
      return (x) => {
        const f = get(x);
        return f != null && set.has(String(f)) === want;
      };
    }
    case 'time_in':
    case 'time_outside': {
      const ranges = parseTimeRanges(String(v)) as TimeRange[];
      const clock = zoneClock(opts.timeZone);
      const want = c.op === 'time_in';
      return (x) => {
        const sec = secondOfDayOf(get(x), clock);
        return sec !== undefined && inAnyRange(sec, ranges) === want;
      };
    }
    case 'starts_with':
    case 'not_starts_with':
    case 'ends_with':
    case 'not_ends_with': {
      const s = String(v);
      const want = !c.op.startsWith('not_');
      const starts = c.op.endsWith('starts_with');
      return (x) => {
        const f = get(x);
        if (f == null) return false;
        const text = String(f);
        return (starts ? text.startsWith(s) : text.endsWith(s)) === want;
      };
    }
  }
}

/** ANDs compiled conditions; an empty list admits everything. */
export function allOf<T>(preds: Array<(x: T) => boolean>): (x: T) => boolean {
  if (preds.length === 0) return () => true;
  if (preds.length === 1) return preds[0]!;
  return (x) => {
    for (const p of preds) if (!p(x)) return false;
    return true;
  };
}

export function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string') {
    if (v.trim() === '') return undefined;
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

function listOf(v: ConditionValue): string[] {
  const items = Array.isArray(v) ? v.map(String) : typeof v === 'number' ? [String(v)] : v.split(',');
  return items.map((s) => s.trim()).filter((s) => s !== '');
}
