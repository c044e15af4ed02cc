import { describe, expect, it } from 'vitest';
import { TailBuffer } from './buffer.js';

const ev = (n: number, dropped = 0, ts = n) => ({ n, dropped, ts: new Date(ts * 1000).toISOString() });

describe('TailBuffer', () => {
  it('drops the oldest pending events past its bound and counts them apart from the gateway drops', () => {
    const b = new TailBuffer<ReturnType<typeof ev>>(3, 10);
    for (let i = 0; i < 5; i++) b.push(ev(i, i === 4 ? 7 : 0));
    expect(b.counts).toEqual({ received: 5, droppedByServer: 7, droppedByBrowser: 2 });
    expect(b.drain()).toBe(true);
    expect(b.visible.map((e) => e.n)).toEqual([2, 3, 4]);
    expect(b.drain()).toBe(false);
  });

  it('keeps the last maxLines on screen, draining at most `max` per call, with stable positions', () => {
    const b = new TailBuffer<ReturnType<typeof ev>>(100, 4);
    for (let i = 0; i < 6; i++) b.push(ev(i));
    b.drain(5);
    expect(b.pending).toBe(1);
    expect(b.visible.map((e) => e.n)).toEqual([1, 2, 3, 4]);
    expect(b.firstIndex).toBe(1);
    b.drain();
    expect(b.visible.map((e) => e.n)).toEqual([2, 3, 4, 5]);
    expect(b.firstIndex).toBe(2);
    b.clear();
    expect(b.visible).toEqual([]);
    expect(b.counts.received).toBe(0);
  });

  it('places a line that arrives late by its time among the recent ones', () => {
    const b = new TailBuffer<ReturnType<typeof ev>>();
    [ev(1), ev(3), ev(2, 0, 2), ev(5)].forEach((e) => b.push(e));
    b.drain(2);
    b.drain();
    b.push(ev(4));
    b.drain();
    expect(b.visible.map((e) => e.n)).toEqual([1, 2, 3, 4, 5]);
  });

  it('refuses bounds that are not positive', () => {
    expect(() => new TailBuffer(0, 1)).toThrow(/positive/);
  });
});
