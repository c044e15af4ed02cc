import { describe, expect, it } from 'vitest';
import { LogfedError } from '../errors/index.js';
import { decodeCursor, encodeCursor, fingerprintOf, resumeRange, type CursorState } from './cursor.js';

const state = (n: number): CursorState => ({
  range: { from: 1000, to: 2000 },
  positions: new Map(Array.from({ length: n }, (_, i) => [`store-${i}`, { pos: `pos-${i}`, ts: 1500 + i }])),
  exhausted: new Set(['gone']),
  unbounded: new Set(),
});

describe('cursor', () => {
  it('round-trips positions, exhaustion and range', () => {
    const s = state(3);
    const text = encodeCursor('fp', s);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(JSON.parse(Buffer.from(text, 'base64url').toString())).toMatchObject({ v: 1, f: 'fp' });
    expect(decodeCursor(text, 'fp')).toEqual(s);
  });

  it('round-trips the boundary and the unbounded targets', () => {
    const s = { ...state(1), boundary: { ts: 1234, id: 'store-0' }, unbounded: new Set(['failed']) };
    expect(decodeCursor(encodeCursor('fp', s), 'fp')).toEqual(s);
  });

  it('round-trips the batches opened, whether the next page opens another, and whether the outcome was judged', () => {
    for (const [next, judged] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      const s = { ...state(1), batches: { opened: [['store-0', 'b'], ['c']], next, judged } };
      expect(decodeCursor(encodeCursor('fp', s), 'fp')).toEqual(s);
    }
    // without batches, nothing about them is written
    expect(JSON.parse(Buffer.from(encodeCursor('fp', state(1)), 'base64url').toString())).not.toHaveProperty('k');
  });

  it('deflates large cursors and still round-trips them', () => {
    const s = state(500);
    const text = encodeCursor('fp', s);
    expect(text.startsWith('z')).toBe(true);
    expect(text.length).toBeLessThan(JSON.stringify([...s.positions]).length / 2);
    expect(decodeCursor(text, 'fp')).toEqual(s);
  });

  it('refuses a cursor of another query as BAD_USER_INPUT', () => {
    const text = encodeCursor('fp-a', state(1));
    expect(() => decodeCursor(text, 'fp-b')).toThrow(/different query/);
    try {
      decodeCursor(text, 'fp-b');
    } catch (e) {
      expect((e as LogfedError).code).toBe('BAD_USER_INPUT');
    }
  });

  it('refuses garbage, wrong shapes and other versions', () => {
    expect(() => decodeCursor('not a cursor!', 'fp')).toThrow(/does not decode/);
    expect(() => decodeCursor(Buffer.from('{"v":1}').toString('base64url'), 'fp')).toThrow(/not a cursor/);
    const v2 = Buffer.from(JSON.stringify({ v: 2, f: 'fp', r: [0, 1], p: {}, x: [] })).toString('base64url');
    expect(() => decodeCursor(v2, 'fp')).toThrow(/version 2/);
  });

  it('resumeRange leaves what comes after the position, or after the boundary with ties by target id', () => {
    const range = { from: 0, to: 100 };
    const at = (s: Partial<CursorState>): CursorState => ({ range, positions: new Map(), exhausted: new Set(), unbounded: new Set(), ...s });
    const b = at({ boundary: { ts: 50, id: 'm' } });
    expect(resumeRange(range, 'desc', b, 'a')).toEqual({ from: 0, to: 50 });
    expect(resumeRange(range, 'desc', b, 'z')).toEqual({ from: 0, to: 51 });
    expect(resumeRange(range, 'asc', b, 'a')).toEqual({ from: 51, to: 100 });
    expect(resumeRange(range, 'asc', b, 'z')).toEqual({ from: 50, to: 100 });
    expect(resumeRange(range, 'desc', { ...b, unbounded: new Set(['a']) }, 'a')).toEqual(range);
    expect(resumeRange(range, 'desc', undefined, 'a')).toEqual(range);
    expect(resumeRange(range, 'desc', at({ boundary: { ts: 0, id: 'm' } }), 'a')).toBeUndefined();
    const placed = at({ boundary: { ts: 50, id: 'm' }, positions: new Map([['a', { pos: 'p', ts: 70 }]]) });
    expect(resumeRange(range, 'desc', placed, 'a')).toEqual({ from: 0, to: 71 });
    expect(resumeRange(range, 'asc', placed, 'a')).toEqual({ from: 70, to: 100 });
  });

  it('fingerprints ignore key order but not values', () => {
    expect(fingerprintOf({ a: 1, b: [1, 2] })).toBe(fingerprintOf({ b: [1, 2], a: 1 }));
    expect(fingerprintOf({ a: 1, b: [1, 2] })).not.toBe(fingerprintOf({ a: 1, b: [2, 1] }));
    expect(fingerprintOf({ a: 1, c: undefined })).toBe(fingerprintOf({ a: 1 }));
  });
});
