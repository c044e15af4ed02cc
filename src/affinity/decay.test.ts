import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exponent, growth, MAX_EXPONENT, needsRenormalise, rowTtlMs } from './decay.js';

describe('decay', () => {
  it('reads a value added at t0 as by × 2^-((now - t0) / halfLife), whatever the row epoch', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.double({ min: 0.5, max: 1000, noNaN: true }),
        (epochAgo, t0, later, by) => {
          const half = 1000;
          const epoch = -epochAgo;
          const stored = by * growth(epoch, t0, half);
          const read = stored / growth(epoch, t0 + later, half);
          expect(read).toBeCloseTo(by * 2 ** (-later / half), 9);
        },
      ),
    );
  });

  it('does not decay with an infinite half-life', () => {
    expect(growth(0, 1e15, Infinity)).toBe(1);
    expect(exponent(0, 1e15, Infinity)).toBe(0);
    expect(needsRenormalise(0, 1e15, Infinity)).toBe(false);
    expect(rowTtlMs(Infinity)).toBe(0);
  });

  it('renormalises only past the threshold exponent, and keeps rows for twenty half-lives', () => {
    expect(needsRenormalise(0, MAX_EXPONENT * 10, 10)).toBe(false);
    expect(needsRenormalise(0, MAX_EXPONENT * 10 + 1, 10)).toBe(true);
    expect(growth(0, 30, 10)).toBe(8);
    expect(rowTtlMs(1000)).toBe(20_000);
  });
});
