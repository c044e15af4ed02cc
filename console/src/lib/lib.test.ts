import { describe, expect, it } from 'vitest';
import { bucketize } from './histogram.js';
import { highlight, splitKeywords } from './keywords.js';
import { ago, duration, resolveRange } from './time.js';

describe('splitKeywords', () => {
  it.each([
    ['payment failed', ['payment', 'failed'], []],
    ['"lock wait" -DEBUG', ['lock wait'], ['DEBUG']],
    ['-"read timed out" order', ['order'], ['read timed out']],
    ['a - b', ['a', '-', 'b'], []],
    ['"unterminated phrase', ['unterminated phrase'], []],
    ['a"b -', ['a"b', '-'], []],
    ['  ', [], []],
  ])('reads %j as the gateway does', (input, include, exclude) => {
    expect(splitKeywords(input)).toEqual({ include, exclude });
  });
});

describe('highlight', () => {
  it('marks every occurrence, longest term first, and keeps the text whole', () => {
    const segs = highlight('lock wait timeout; lock again', ['lock', 'lock wait']);
    expect(segs.map((s) => s.text).join('')).toBe('lock wait timeout; lock again');
    expect(segs.filter((s) => s.hit).map((s) => s.text)).toEqual(['lock wait', 'lock']);
  });
  it('answers the text unmarked without terms', () => {
    expect(highlight('abc', [])).toEqual([{ text: 'abc', hit: false }]);
  });
});

describe('bucketize', () => {
  it('counts each time in its bucket and marks buckets outside the covered part', () => {
    const b = bucketize([0, 5, 10, 95, 100], { from: 0, to: 100 }, { from: 50, to: 100 }, 10);
    expect(b.map((x) => x.count)).toEqual([2, 1, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(b.map((x) => x.unloaded)).toEqual([true, true, true, true, true, false, false, false, false, false]);
  });
});

describe('time', () => {
  it('resolves presets to a range ending now, and checks a custom range', () => {
    expect(resolveRange('15m', { from: '', to: '' }, 1_000_000)).toEqual({ from: 100_000, to: 1_000_000 });
    expect(() => resolveRange('custom', { from: '', to: '' }, 0)).toThrow(/start/);
    expect(() => resolveRange('custom', { from: '2026-01-02T10:00', to: '2026-01-02T09:00' }, 0)).toThrow(/after the start/);
    const r = resolveRange('custom', { from: '2026-01-02T10:00', to: '2026-01-02T11:00' }, 0);
    expect(r.to - r.from).toBe(3_600_000);
  });
  it('reads durations and ages compactly', () => {
    expect(duration(164)).toBe('164 ms');
    expect(duration(2500)).toBe('2.50 s');
    expect(duration(125_000)).toBe('2 m 5 s');
    expect(ago(0, 90_000)).toBe('1 m ago');
  });
});
