import { describe, expect, it } from 'vitest';
import { createWatermarkTracker } from './watermark.js';

describe('watermark tracker', () => {
  it('is the minimum over partitions', () => {
    const wm = createWatermarkTracker({ idleTimeoutMs: 10_000 });
    wm.observe(0, 5_000, 0);
    wm.observe(1, 3_000, 0);
    wm.observe(0, 9_000, 1);
    expect(wm.watermark(1)).toBe(3_000);
    wm.observe(1, 7_000, 2);
    expect(wm.watermark(2)).toBe(7_000);
  });

  it('takes the latest event of a partition, not the last one pushed', () => {
    const wm = createWatermarkTracker({ idleTimeoutMs: 10_000 });
    wm.observe(0, 9_000, 0);
    wm.observe(0, 2_000, 0);
    expect(wm.watermark(0)).toBe(9_000);
  });

  it('stops waiting for a partition idle longer than the timeout', () => {
    const wm = createWatermarkTracker({ idleTimeoutMs: 10_000 });
    wm.observe(0, 1_000, 0);
    wm.observe(1, 50_000, 0);
    expect(wm.watermark(5_000)).toBe(1_000);
    wm.observe(1, 60_000, 10_500);
    expect(wm.watermark(10_500)).toBe(60_000);
  });

  it('lets the furthest partition stand when every partition is idle', () => {
    const wm = createWatermarkTracker({ idleTimeoutMs: 1_000 });
    wm.observe(0, 4_000, 0);
    wm.observe(1, 8_000, 0);
    expect(wm.watermark(500)).toBe(4_000);
    expect(wm.watermark(5_000)).toBe(8_000);
  });

  it('never moves backward when an idle partition comes back behind', () => {
    const wm = createWatermarkTracker({ idleTimeoutMs: 1_000 });
    wm.observe(0, 1_000, 0);
    wm.observe(1, 9_000, 5_000);
    expect(wm.watermark(5_000)).toBe(9_000);
    wm.observe(0, 2_000, 5_100);
    expect(wm.watermark(5_100)).toBe(9_000);
  });

  it('holds back for a registered partition that has sent nothing yet, until it idles', () => {
    const wm = createWatermarkTracker({ idleTimeoutMs: 1_000 });
    wm.register(2, 0);
    wm.observe(0, 9_000, 0);
    expect(wm.watermark(500)).toBe(Number.NEGATIVE_INFINITY);
    expect(wm.watermark(1_500)).toBe(9_000);
  });

  it('forgets a revoked partition', () => {
    const wm = createWatermarkTracker({ idleTimeoutMs: 10_000 });
    wm.observe(0, 1_000, 0);
    wm.observe(1, 9_000, 0);
    wm.remove(0);
    expect(wm.watermark(0)).toBe(9_000);
    expect(wm.partitions(0)).toEqual([{ partition: 1, watermark: 9_000, idle: false }]);
  });

  it('refuses a timeout that is not positive', () => {
    expect(() => createWatermarkTracker({ idleTimeoutMs: 0 })).toThrow(/idleTimeoutMs/);
  });
});
