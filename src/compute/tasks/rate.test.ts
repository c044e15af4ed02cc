import { describe, expect, it } from 'vitest';
import { RateMeter } from './rate.js';

describe('RateMeter', () => {
  it('averages whole seconds over the window and forgets seconds that slid out', () => {
    let now = 100_000;
    const meter = new RateMeter(4, () => now);
    meter.mark(40);
    expect(meter.rate()).toBe(0); // the current second is still filling
    now += 1_000;
    meter.mark(8);
    expect(meter.rate()).toBe(10);
    now += 1_000;
    expect(meter.rate()).toBe(12);
    now += 4_000;
    expect(meter.rate()).toBe(0);
    now += 60_000;
    meter.mark(4);
    now += 1_000;
    expect(meter.rate()).toBe(1);
  });
});
