// A pattern's time histogram: the stored per-bucket counts regrouped into buckets of the width a
// client asks for, with empty buckets filled in, so a chart can draw the series as it comes.

import { badInput } from '../errors/index.js';
import type { HistoryBucket } from './store.js';

export const MAX_HISTOGRAM_BUCKETS = 2_000;

/** Buckets of `widthMs` from `from` (aligned down to the width) up to `to` (exclusive). */
export function histogramSeries(stored: readonly HistoryBucket[], from: number, to: number, widthMs: number): HistoryBucket[] {
  if (!(widthMs > 0)) throw badInput(`histogram bucket width must be positive, got ${widthMs} ms`);
  if (!(to > from)) throw badInput(`histogram range must end after it starts, got from ${new Date(from).toISOString()} to ${new Date(to).toISOString()}`);
  const start = Math.floor(from / widthMs) * widthMs;
  const n = Math.ceil((to - start) / widthMs);
  if (n > MAX_HISTOGRAM_BUCKETS) {
    throw badInput(`histogram would have ${n} buckets; at most ${MAX_HISTOGRAM_BUCKETS}: narrow the range or widen the buckets`);
  }
  const out: HistoryBucket[] = Array.from({ length: n }, (_, i) => ({ ts: start + i * widthMs, count: 0 }));
  for (const b of stored) {
    const i = Math.floor((b.ts - start) / widthMs);
    if (i >= 0 && i < n && b.ts < to) out[i]!.count += b.count;
  }
  return out;
}
