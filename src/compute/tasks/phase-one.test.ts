import { describe, expect, it } from 'vitest';
import { validateMetricRule } from '../metrics/schema.js';
import { at } from '../metrics/test-events.js';
import { createWatermarkTracker } from '../windows/watermark.js';
import { createPhaseOne } from './phase-one.js';

const rule = validateMetricRule({ id: 'm', period: '1m', groupBy: ['app'], aggregations: [{ as: 'n', fn: 'count' }] });
const ev = (hms: string, app = 'pay') => ({ ts: at(hms), domain: 'd', env: 'p', app, file: 'f', message: '' });

function setup() {
  const watermarks = createWatermarkTracker({ idleTimeoutMs: 10_000 });
  const phase = createPhaseOne([rule], { allowedLatenessMs: 0 });
  const push = (stream: number, hms: string[], from: number, now = 0) => {
    const events = hms.map((h) => ev(h));
    for (const e of events) watermarks.observe(stream, e.ts, now);
    return phase.push(events, stream, events.map((_, i) => from + i));
  };
  return { watermarks, phase, push };
}

describe('phase one of a scale-out task', () => {
  it("closes each input partition's windows by its own event time and marks every partition", () => {
    const { watermarks, phase, push } = setup();
    push(0, ['08:00:10', '08:00:20', '08:01:05', '08:02:01'], 0);
    push(1, ['08:00:30'], 0);
    expect(phase.oldestOffset(0)).toBe(0);
    const out = phase.advance(watermarks, 1);
    expect(out.partials.map((p) => [p.stream, p.partial.windowStart, p.partial.key])).toEqual([
      [0, at('08:00:00'), { app: 'pay' }],
      [0, at('08:01:00'), { app: 'pay' }],
    ]);
    expect(out.marks).toEqual(new Map([[0, at('08:02:01')], [1, at('08:00:30')]]));
    // Partition 0 still holds minute 2 (offset 3); partition 1 its minute 0.
    expect(phase.oldestOffset(0)).toBe(3);
    expect(phase.oldestOffset(1)).toBe(0);
  });

  it("moves an idle partition up to the task's watermark, so its last window is sent", () => {
    const { watermarks, phase, push } = setup();
    push(0, ['08:05:00'], 0, 20_000);
    push(1, ['08:00:30'], 0, 0);
    const out = phase.advance(watermarks, 20_000);
    expect(out.partials.map((p) => [p.stream, p.partial.windowStart])).toEqual([[1, at('08:00:00')]]);
    expect(out.marks.get(1)).toBe(at('08:05:00'));
  });

  it('starts a partition over when it is read again from its last commit, counting each event once', () => {
    const { watermarks, phase, push } = setup();
    push(0, ['08:00:10', '08:00:20'], 10);
    // Delivered again from offset 10 (a rejoin fetches from the committed offset), then onward.
    push(0, ['08:00:10', '08:00:20', '08:00:30'], 10);
    push(0, ['08:01:30'], 13);
    const [partial] = phase.advance(watermarks, 1).partials;
    expect(partial!.partial.accs).toEqual([3]);
    expect(phase.stats('m')).toMatchObject({ received: 6, series: 1 });
  });

  it('forgets a revoked partition, and hands the open windows of unchanged rules to the next rule set', () => {
    const { phase, push } = setup();
    push(0, ['08:00:10'], 0);
    push(1, ['08:00:10'], 0);
    phase.drop(1);
    expect(phase.oldestOffset(1)).toBeUndefined();
    const next = createPhaseOne([rule], { allowedLatenessMs: 0 }, phase);
    expect(next.oldestOffset(0)).toBe(0);
    const changed = createPhaseOne([{ ...rule, period: '5m' }], { allowedLatenessMs: 0 }, phase);
    expect(changed.oldestOffset(0)).toBeUndefined();
  });
});
