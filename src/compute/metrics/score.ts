// Score mappings and reductions for composite metrics: a source value is first turned into a
// score by ordered ranges (cpu 0-50% → 10, ≥95% → 0), then the many values a group collects
// in one composite window are reduced to one (max, min, avg, sum, count, count of distinct).

import { z } from 'zod';

const bound = z.number().finite().optional();

export const scoreRangeSchema = z
  .object({ gt: bound, gte: bound, lt: bound, lte: bound, score: z.number().finite() })
  .strict()
  .superRefine((r, ctx) => {
    if (r.gt === undefined && r.gte === undefined && r.lt === undefined && r.lte === undefined) {
      ctx.addIssue({ code: 'custom', message: 'a range needs at least one of gt, gte, lt, lte' });
    }
    if (r.gt !== undefined && r.gte !== undefined) ctx.addIssue({ code: 'custom', path: ['gte'], message: 'use gt or gte, not both' });
    if (r.lt !== undefined && r.lte !== undefined) ctx.addIssue({ code: 'custom', path: ['lte'], message: 'use lt or lte, not both' });
    const lo = r.gt ?? r.gte;
    const hi = r.lt ?? r.lte;
    if (lo !== undefined && hi !== undefined && (lo > hi || (lo === hi && (r.gt !== undefined || r.lt !== undefined)))) {
      ctx.addIssue({ code: 'custom', message: `the range from ${lo} to ${hi} is empty` });
    }
  });

export const scoreMappingSchema = z.array(scoreRangeSchema).min(1, 'a score mapping needs at least one range');
export type ScoreMapping = z.output<typeof scoreMappingSchema>;

/** The score of the last range that holds the value (later ranges override earlier ones), or undefined. */
export function scoreOf(mapping: ScoreMapping, v: number): number | undefined {
  let out: number | undefined;
  for (const r of mapping) {
    if (r.gt !== undefined && !(v > r.gt)) continue;
    if (r.gte !== undefined && !(v >= r.gte)) continue;
    if (r.lt !== undefined && !(v < r.lt)) continue;
    if (r.lte !== undefined && !(v <= r.lte)) continue;
    out = r.score;
  }
  return out;
}

export const REDUCTIONS = ['max', 'min', 'avg', 'sum', 'count', 'count_distinct'] as const;
export type Reduction = (typeof REDUCTIONS)[number];

/** What a composite group collected for one alias in one window. */
export interface Collected {
  n: number;
  sum: number;
  min: number;
  max: number;
  distinct: Set<string> | undefined;
}

export function newCollected(withDistinct: boolean): Collected {
  return { n: 0, sum: 0, min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY, distinct: withDistinct ? new Set() : undefined };
}

export function collect(c: Collected, v: number, distinctKey?: string): void {
  c.n++;
  c.sum += v;
  if (v < c.min) c.min = v;
  if (v > c.max) c.max = v;
  if (c.distinct !== undefined && distinctKey !== undefined) c.distinct.add(distinctKey);
}

/** The reduced value, or undefined when nothing was collected (counts are 0 instead). */
export function reduce(c: Collected | undefined, how: Reduction): number | undefined {
  if (how === 'count') return c?.n ?? 0;
  if (how === 'count_distinct') return c?.distinct?.size ?? 0;
  if (c === undefined || c.n === 0) return undefined;
  return how === 'max' ? c.max : how === 'min' ? c.min : how === 'sum' ? c.sum : c.sum / c.n;
}
