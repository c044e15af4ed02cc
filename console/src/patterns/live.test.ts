import { describe, expect, it } from 'vitest';
import type { PatternUpdate } from '../api/queries.js';
import { addToHistogram, applyUpdates, type LivePattern } from './live.js';

const M = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const hist = (start: number, counts: number[]) => counts.map((count, i) => ({ ts: iso(start + i * M), count }));
const pattern = (id: string, count: number): LivePattern => ({
  id: `shop/cart/${id}`, domain: 'shop', app: 'cart', template: `t ${id}`, topPatternId: 't', count,
  firstSeen: iso(0), lastSeen: iso(0), annotation: null, histogram: hist(0, [0, 1, 2]),
});
const update = (id: string, over: Partial<PatternUpdate>): PatternUpdate => ({
  kind: 'COUNT', id: `shop/cart/${id}`, domain: 'shop', app: 'cart', template: `t ${id}`, topPatternId: 't',
  count: 0, delta: 0, firstSeen: iso(0), lastSeen: iso(2 * M), merged: [], ...over,
});

describe('addToHistogram', () => {
  it('adds to the current bucket and slides the window forward when time moved on', () => {
    expect(addToHistogram(hist(0, [1, 1, 1]), 2 * M + 5, 3).map((b) => b.count)).toEqual([1, 1, 4]);
    const slid = addToHistogram(hist(0, [1, 1, 1]), 4 * M, 2);
    expect(slid.map((b) => [Date.parse(b.ts) / M, b.count])).toEqual([[2, 1], [3, 0], [4, 2]]);
  });
});

describe('applyUpdates', () => {
  it('moves counts, adds new patterns after the list, and replaces ids a pattern absorbed', () => {
    const list = [pattern('a', 10), pattern('b', 5), pattern('c', 1)];
    const labelled = { ...list[2]!, annotation: { label: 'x', author: 'u', at: iso(0) } };
    const out = applyUpdates([list[0]!, list[1]!, labelled], [
      update('a', { count: 13, delta: 3 }),
      update('n', { kind: 'NEW', count: 1, delta: 1 }),
      update('g', { kind: 'NEW', count: 2, delta: 1, merged: ['c'] }),
    ]);
    expect(out.map((p) => [p.id.slice(10), p.count, p.recent ?? 0, Boolean(p.fresh)])).toEqual([
      ['a', 13, 3, false],
      ['b', 5, 0, false],
      ['n', 1, 1, true],
      ['g', 2, 1, false],
    ]);
    expect(out[0]!.histogram.map((b) => b.count)).toEqual([0, 1, 5]);
    // The generalised pattern keeps what was known about the one it absorbed.
    expect(out[3]!.annotation?.label).toBe('x');
  });
});
