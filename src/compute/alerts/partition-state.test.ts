import { describe, expect, it } from 'vitest';
import { row } from '../metrics/test-events.js';
import { createAlertEvaluator, type AlertEvaluator } from './evaluator.js';
import type { AlertEvent } from './types.js';

// Under scale-out an evaluator holds the alerts of several repartition partitions: each is saved,
// restored and dropped on its own, and the alerts follow their partition to its next owner.
const DAY = 86_400_000;
const rule = {
  id: 'mixed',
  metric: 'app_errors',
  for: '2m',
  when: [
    { field: 'values.count', op: '>=', value: 100 },
    { change: { field: 'values.count', against: '1d', direction: 'up', ratio: 2 } },
  ],
};
const minute = (m: number) => `08:${String(m).padStart(2, '0')}:00`;
const errors = (m: number, count: number, app: string, day = 0) => {
  const r = row('app_errors', minute(m), { app }, { count });
  return { ...r, windowStart: r.windowStart + day * DAY, windowEnd: r.windowEnd + day * DAY, label: r.label + day * DAY };
};
const states = (events: AlertEvent[]) => events.map((e) => `${e.labels.app}:${e.state}${e.notify ? '!' : ''}`);
const through = <T>(x: T): T => JSON.parse(JSON.stringify(x));
/** App → the repartition partition its rows come through. */
const PART: Record<string, number> = { pay: 0, shop: 1, user: 1 };

/** Yesterday's quiet history of every app, then `counts[m]` for every app at minute m today. */
function feed(ev: AlertEvaluator, counts: number[], from = 0, apps = Object.keys(PART)): string[] {
  const out: string[] = [];
  for (let m = from; m < from + counts.length; m++) for (const app of apps) out.push(...states(ev.evaluate(errors(m, counts[m - from]!, app, 1), m, PART[app])));
  return out;
}
function learnt(): AlertEvaluator {
  const ev = createAlertEvaluator(rule);
  for (let m = 0; m < 10; m++) for (const app of Object.keys(PART)) ev.evaluate(errors(m, 40, app), 0, PART[app]);
  return ev;
}

describe('alert state per repartition partition', () => {
  it('saves each partition alone, and a merge of all of them resumes as the whole would', () => {
    const live = learnt();
    expect(feed(live, [300, 300])).toEqual(['pay:pending', 'shop:pending', 'user:pending', 'pay:pending', 'shop:pending', 'user:pending']);
    const [p0, p1] = [through(live.snapshot(0)), through(live.snapshot(1))];
    expect(p0.series.map((s) => s.fingerprint)).toEqual(['mixed{app="pay"}']);
    expect(p1.series.map((s) => s.fingerprint).sort()).toEqual(['mixed{app="shop"}', 'mixed{app="user"}']);
    expect(live.snapshot(2).series).toEqual([]);

    const resumed = createAlertEvaluator(rule);
    resumed.merge(p1, 1);
    resumed.merge(p0, 0);
    expect(resumed.stats()).toMatchObject({ pending: 3, series: 3 });
    // `for` counts on from 08:00 and the period-over-period history came along: the third minute fires, once.
    const next = ['pay:firing!', 'shop:firing!', 'user:firing!', 'pay:firing', 'shop:firing', 'user:firing'];
    expect(feed(resumed, [300, 300], 2)).toEqual(next);
    expect(feed(live, [300, 300], 2)).toEqual(next);
    expect(resumed.snapshot(0)).toEqual(live.snapshot(0));
    expect(resumed.snapshot(1)).toEqual(live.snapshot(1));
  });

  it('drops the alerts of revoked partitions only, and keeps the newer of two copies on merge', () => {
    const ev = learnt();
    feed(ev, [300, 300, 300]);
    const p1 = through(ev.snapshot(1));
    ev.drop(new Set([1]));
    expect(ev.stats()).toMatchObject({ firing: 1, series: 1 });
    expect(ev.snapshot(1).series).toEqual([]);
    // A partition's absent alerts are not resolved by an instance that no longer owns it.
    expect(ev.advance(errors(9, 0, 'pay', 1).windowEnd, 0).map((e) => e.labels.app)).toEqual(['pay']);

    const a = learnt();
    feed(a, [300, 300, 300, 300]);
    const newer = through(a.snapshot(1));
    a.merge(p1, 1);
    expect(a.snapshot(1)).toEqual(newer);
  });

  it('refuses a damaged state whole, naming what is wrong, and keeps what it had', () => {
    const ev = learnt();
    const good = through(ev.snapshot(0));
    const before = ev.snapshot();
    expect(() => ev.merge({ ...good, series: [{ ...good.series[0], lifecycle: { state: 'on' } }] }, 0)).toThrow(/saved state of alert rule "mixed" is not valid: series\.0\.lifecycle/);
    expect(() => ev.merge({ ...good, ruleId: 'other' }, 0)).toThrow(/state of alert rule "other" does not belong to rule "mixed"/);
    expect(ev.snapshot()).toEqual(before);
  });
});
