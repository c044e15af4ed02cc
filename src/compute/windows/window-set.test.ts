import { describe, expect, it } from 'vitest';
import { WindowSet } from './window-set.js';

const M = 60_000;
const make = (lateness = 0, maxSeries = 100) => new WindowSet<number>({ periodMs: M, labelling: 'backward', allowedLatenessMs: lateness, maxSeries });

describe('WindowSet', () => {
  it('closes a window once the watermark passes its end plus the lateness, in time order', () => {
    const ws = make(30_000);
    ws.windowFor(2 * M + 5);
    ws.windowFor(5);
    expect(ws.advance(M + 29_999)).toEqual([]);
    expect(ws.advance(M + 30_000).map((w) => w.start)).toEqual([0]);
    expect(ws.flush().map((w) => w.label)).toEqual([3 * M]);
  });

  it('calls a time late only when its window has closed, lateness included', () => {
    const ws = make(30_000);
    ws.advance(2 * M);
    expect(ws.windowFor(M + 1)).toBeDefined(); // [1m, 2m) waits until 2m30s
    expect(ws.windowFor(M - 1)).toBeUndefined(); // [0, 1m) closed at 1m30s
    ws.advance(2 * M + 30_000);
    expect(ws.windowFor(M + 1)).toBeUndefined();
  });

  it('reports the end of the newest closed window', () => {
    const ws = make(10_000);
    expect(ws.closedThrough()).toBe(Number.NEGATIVE_INFINITY);
    ws.advance(3 * M + 9_999);
    expect(ws.closedThrough()).toBe(2 * M);
    ws.advance(3 * M + 10_000);
    expect(ws.closedThrough()).toBe(3 * M);
  });

  it('remembers the oldest offset per partition held in open windows', () => {
    const ws = make();
    const a = ws.windowFor(10)!;
    ws.noteOffset(a, 0, 7);
    ws.noteOffset(a, 0, 5);
    const b = ws.windowFor(M + 10)!;
    ws.noteOffset(b, 0, 3);
    ws.noteOffset(b, 1, 40);
    expect(ws.oldestOffset(0)).toBe(3);
    expect(ws.oldestOffset(1)).toBe(40);
    expect(ws.oldestOffset(2)).toBeUndefined();
    ws.advance(M);
    expect(ws.oldestOffset(0)).toBe(3);
    ws.advance(2 * M);
    expect(ws.oldestOffset(0)).toBeUndefined();
  });

  it('refuses series past the cap and reports the storm once per window', () => {
    const ws = make(0, 2);
    const w = ws.windowFor(0)!;
    expect(ws.addSeries(w, 1)).toBe(true);
    expect(ws.addSeries(w, 2)).toBe(true);
    expect(ws.addSeries(w, 3)).toBe(false);
    expect(ws.addSeries(w, 4)).toBe(false);
    expect(ws.droppedSeries).toBe(2);
    expect(ws.drainStorms()).toEqual([{ label: M, windowStart: 0, cap: 2, dropped: 2 }]);
    expect(ws.drainStorms()).toEqual([]);
    expect(ws.openSeries()).toBe(2);
  });

  it("gives each window the stage's own data, made when the window opens and gone when it closes", () => {
    let made = 0;
    const ws = new WindowSet<number, { n: number; id: number }>({ periodMs: M, labelling: 'backward', allowedLatenessMs: 0, maxSeries: 10 }, () => ({ n: 0, id: made++ }));
    ws.windowFor(5)!.data.n += 2;
    ws.windowFor(6)!.data.n += 1;
    ws.windowFor(M + 1)!.data.n += 5;
    expect(made).toBe(2);
    expect(ws.advance(M).map((w) => w.data)).toEqual([{ n: 3, id: 0 }]);
    expect(ws.windowFor(M + 2)!.data).toEqual({ n: 5, id: 1 });
    expect(ws.windowFor(5)).toBeUndefined();
    expect(made).toBe(2);
  });
});
