import { describe, expect, it } from 'vitest';
import { histogramSeries } from './histogram.js';

describe('histogram series', () => {
  it('regroups stored buckets into wider ones and fills the empty ones', () => {
    const M = 60_000;
    const stored = [
      { ts: 0, count: 1 },
      { ts: M, count: 2 },
      { ts: 4 * M, count: 5 },
      { ts: 9 * M, count: 7 },
    ];
    expect(histogramSeries(stored, 30_000, 6 * M, 2 * M)).toStrictEqual([
      { ts: 0, count: 3 },
      { ts: 2 * M, count: 0 },
      { ts: 4 * M, count: 5 },
    ]);
  });

  it('refuses ranges that are empty or need too many buckets', () => {
    expect(() => histogramSeries([], 10, 10, 1000)).toThrow(/end after it starts/);
    expect(() => histogramSeries([], 0, 3_000_000, 1)).toThrow(/at most 2000/);
  });
});
