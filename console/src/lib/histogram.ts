// Counts of loaded search results per time bucket, computed in the browser. It covers only the
// events loaded so far, and says which part of the range no loaded page reached yet.

export interface Bucket {
  from: number;
  to: number;
  count: number;
  /** True when no loaded page covers this bucket: its count says nothing about the logs. */
  unloaded: boolean;
}

/**
 * Buckets over [from, to). `loadedFrom`/`loadedTo` bound the part of the range the loaded pages
 * cover: with newest-first pages and more to load, everything before the oldest loaded event is
 * not covered yet.
 */
export function bucketize(
  timestamps: readonly number[],
  range: { from: number; to: number },
  covered: { from: number; to: number },
  count = 60,
): Bucket[] {
  const span = Math.max(1, range.to - range.from);
  const width = span / count;
  const buckets: Bucket[] = [];
  for (let i = 0; i < count; i++) {
    const from = range.from + i * width;
    const to = i === count - 1 ? range.to : range.from + (i + 1) * width;
    buckets.push({ from, to, count: 0, unloaded: to <= covered.from || from >= covered.to });
  }
  for (const ts of timestamps) {
    if (ts < range.from || ts >= range.to) continue;
    const i = Math.min(count - 1, Math.floor((ts - range.from) / width));
    buckets[i]!.count++;
  }
  return buckets;
}
