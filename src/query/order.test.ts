import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BinaryHeap } from './heap.js';
import { BestKeys, keyCompare, type HitKey } from './order.js';

describe('BinaryHeap', () => {
  it('pops in order whatever the pushes', () => {
    fc.assert(
      fc.property(fc.array(fc.integer()), (xs) => {
        const h = new BinaryHeap<number>((a, b) => a < b);
        xs.forEach((x) => h.push(x));
        const out: number[] = [];
        while (h.size) out.push(h.pop()!);
        expect(out).toEqual([...xs].sort((a, b) => a - b));
      }),
      { seed: 7 },
    );
  });

  it('replaceTop keeps the heap ordered', () => {
    const h = new BinaryHeap<number>((a, b) => a < b);
    [5, 3, 8].forEach((x) => h.push(x));
    h.replaceTop(9);
    expect([h.pop(), h.pop(), h.pop(), h.pop()]).toEqual([5, 8, 9, undefined]);
  });
});

describe('keyCompare', () => {
  const k = (ts: number, rank: number, seq: number): HitKey => ({ ts, rank, seq });

  it('puts newer first for desc and older first for asc, then rank, then arrival', () => {
    const desc = keyCompare('desc');
    const asc = keyCompare('asc');
    expect(desc(k(2, 0, 0), k(1, 0, 0))).toBeLessThan(0);
    expect(asc(k(2, 0, 0), k(1, 0, 0))).toBeGreaterThan(0);
    expect(desc(k(1, 0, 5), k(1, 1, 0))).toBeLessThan(0);
    expect(desc(k(1, 2, 1), k(1, 2, 0))).toBeGreaterThan(0);
    expect(desc(k(1, 2, -1), k(1, 2, 0))).toBeLessThan(0);
    expect(desc(k(1, 2, Infinity), k(1, 2, 1e9))).toBeGreaterThan(0);
  });
});

describe('BestKeys', () => {
  it('beats a key only when k held keys all come strictly before it', () => {
    const best = new BestKeys(2, keyCompare('desc'));
    best.offer({ ts: 10, rank: 0, seq: 0 });
    expect(best.beats({ ts: 1, rank: 0, seq: -1 })).toBe(false);
    best.offerSorted([
      { ts: 8, rank: 1, seq: 0 },
      { ts: 7, rank: 1, seq: 1 },
    ]);
    expect(best.beats({ ts: 8, rank: 2, seq: -1 })).toBe(true);
    expect(best.beats({ ts: 8, rank: 0, seq: -1 })).toBe(false);
    expect(best.beats({ ts: 9, rank: 5, seq: -1 })).toBe(false);
  });

  it('keeps the best k of any stream of keys', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 3 }), (ts) => {
        const cmp = keyCompare('asc');
        const best = new BestKeys(3, cmp);
        ts.forEach((t, seq) => best.offer({ ts: t, rank: 0, seq }));
        const third = [...ts].map((t, seq) => ({ ts: t, rank: 0, seq })).sort(cmp)[2]!;
        expect(best.beats({ ...third, seq: third.seq + 0.5 })).toBe(true);
        expect(best.beats(third)).toBe(false);
      }),
      { seed: 11 },
    );
  });
});
