import { describe, expect, it } from 'vitest';
import { at, row } from '../metrics/test-events.js';
import { createAlertEvaluator, fingerprintOf, type AlertEvaluator } from './evaluator.js';
import type { AlertEvent } from './types.js';

const errors = (label: string, count: number, app = 'pay') => row('app_errors', label, { app }, { count });
const states = (events: AlertEvent[]) => events.map((e) => `${e.state}${e.notify ? '!' : ''}`);
const minute = (m: number) => `08:${String(m).padStart(2, '0')}:00`;

/** Feeds one row per minute from 08:00 and returns what each evaluation emitted. */
function run(ev: AlertEvaluator, counts: number[], nowStepMs = 60_000): string[][] {
  return counts.map((c, i) => states(ev.evaluate(errors(minute(i), c), i * nowStepMs)));
}

const base = { id: 'too_many_errors', metric: 'app_errors', when: [{ field: 'values.count', op: '>=', value: 100 }] };

describe('alert conditions', () => {
  it('ANDs every condition', () => {
    const ev = createAlertEvaluator({
      ...base,
      when: [
        { field: 'values.count', op: '>=', value: 100 },
        { field: 'key.app', op: 'in', value: 'pay,order' },
        { field: 'key.app', op: 'not_starts_with', value: 'test-' },
      ],
    });
    expect(states(ev.evaluate(errors('08:01:00', 150, 'pay'), 0))).toEqual(['firing!']);
    expect(states(ev.evaluate(errors('08:01:00', 150, 'shop'), 0))).toEqual([]);
    expect(states(ev.evaluate(errors('08:01:00', 99, 'order'), 0))).toEqual([]);
  });

  it('checks time ranges on the row label in the rule time zone, across midnight', () => {
    const ev = createAlertEvaluator({ ...base, timezone: 'Asia/Shanghai', when: [...base.when, { field: 'label', op: 'time_in', value: '20:00:00-23:59:59,00:00:00-08:00:00' }] });
    // 13:00 UTC is 21:00 in Shanghai; 02:00 UTC is 10:00
    expect(states(ev.evaluate(errors('13:00:00', 100, 'a'), 0))).toEqual(['firing!']);
    expect(states(ev.evaluate(errors('02:00:00', 100, 'b'), 0))).toEqual([]);
    expect(states(ev.evaluate(errors('23:30:00', 100, 'c'), 0))).toEqual(['firing!']); // 07:30 next day
  });

  it('lets the evaluator override the rule time zone', () => {
    const rule = { ...base, when: [...base.when, { field: 'label', op: 'time_outside', value: '09:00-18:00' }] };
    expect(states(createAlertEvaluator(rule).evaluate(errors('02:00:00', 100), 0))).toEqual(['firing!']);
    expect(states(createAlertEvaluator(rule, { timeZone: 'Asia/Shanghai' }).evaluate(errors('02:00:00', 100), 0))).toEqual([]);
  });

  it('ignores rows of other metrics', () => {
    const ev = createAlertEvaluator(base);
    expect(ev.evaluate(row('other', '08:01:00', {}, { count: 1000 }), 0)).toEqual([]);
    expect(ev.stats().ignored).toBe(1);
  });
});

describe('alert lifecycle', () => {
  it('fires at once without `for`, and resolves when the condition stops', () => {
    expect(run(createAlertEvaluator(base), [120, 130, 10, 10])).toEqual([['firing!'], ['firing'], ['resolved!'], []]);
  });

  it('stays pending until the condition held for `for`', () => {
    const ev = createAlertEvaluator({ ...base, for: '2m' });
    expect(run(ev, [120, 120, 120, 120])).toEqual([['pending'], ['pending'], ['firing!'], ['firing']]);
  });

  it('drops a pending alert silently when the condition stops before `for`', () => {
    const ev = createAlertEvaluator({ ...base, for: '2m' });
    expect(run(ev, [120, 120, 5, 120, 120, 120])).toEqual([['pending'], ['pending'], [], ['pending'], ['pending'], ['firing!']]);
  });

  it('keeps firing for keepFiringFor after the condition stops, and a return cancels the resolution', () => {
    const ev = createAlertEvaluator({ ...base, keepFiringFor: '2m' });
    expect(run(ev, [120, 5, 5, 120, 5, 5, 5, 5])).toEqual([['firing!'], ['firing'], ['firing'], ['firing'], ['firing'], ['firing'], ['resolved!'], []]);
  });

  it('notifies a still-firing alert again once per repeat interval of wall time', () => {
    const ev = createAlertEvaluator({ ...base, repeatInterval: '3m' });
    expect(run(ev, [120, 120, 120, 120, 120, 120, 120])).toEqual([['firing!'], ['firing'], ['firing'], ['firing!'], ['firing'], ['firing'], ['firing!']]);
  });

  it('keeps one lifecycle per metric key', () => {
    const ev = createAlertEvaluator(base);
    expect(states(ev.evaluate(errors('08:01:00', 120, 'pay'), 0))).toEqual(['firing!']);
    expect(states(ev.evaluate(errors('08:01:00', 120, 'shop'), 0))).toEqual(['firing!']);
    expect(states(ev.evaluate(errors('08:02:00', 1, 'pay'), 0))).toEqual(['resolved!']);
    expect(ev.stats()).toMatchObject({ firing: 1 });
  });

  it('ignores a row that is not newer than the last one of its key (a replay)', () => {
    const ev = createAlertEvaluator(base);
    ev.evaluate(errors('08:02:00', 120), 0);
    expect(ev.evaluate(errors('08:01:00', 120), 0)).toEqual([]);
    expect(ev.evaluate(errors('08:02:00', 120), 0)).toEqual([]);
    expect(ev.stats().stale).toBe(2);
  });

  it('resolves an alert whose key stopped producing rows, unless told to keep it', () => {
    const ev = createAlertEvaluator(base);
    ev.evaluate(errors('08:01:00', 120), 0);
    expect(ev.advance(at('08:01:00'), 0)).toEqual([]);
    const [resolved] = ev.advance(at('08:02:00'), 7);
    expect(resolved).toMatchObject({ state: 'resolved', notify: true, at: at('08:02:00'), evaluatedAt: 7 });
    const keep = createAlertEvaluator({ ...base, absent: 'keep' });
    keep.evaluate(errors('08:01:00', 120), 0);
    expect(keep.advance(at('08:05:00'), 0)).toEqual([]);
  });

  it('finds the missing label for forward-labelled metrics too', () => {
    const ev = createAlertEvaluator({ ...base, keepFiringFor: '1m' });
    // labelled forward: the window [08:00, 08:01) carries the label 08:00
    ev.evaluate({ ...errors('08:01:00', 120), label: at('08:00:00') }, 0);
    expect(ev.advance(at('08:02:00'), 0).map((e) => [e.state, e.at])).toEqual([['firing', at('08:01:00')]]);
    expect(ev.advance(at('08:02:00'), 0)).toEqual([]);
    expect(ev.advance(at('08:03:00'), 0).map((e) => [e.state, e.at])).toEqual([['resolved', at('08:02:00')]]);
  });

  it('labels the alert by rule, metric key and static labels, and renders the message', () => {
    const ev = createAlertEvaluator({ ...base, labels: { severity: 'critical' }, message: '{{key.app}} error count {{values.count}} at {{label}} ({{labels.severity}})', timezone: 'Asia/Shanghai' });
    const [e] = ev.evaluate(errors('08:01:00', 120), 5);
    expect(e).toMatchObject({
      ruleId: 'too_many_errors',
      fingerprint: 'too_many_errors{app="pay"}',
      labels: { alertname: 'too_many_errors', app: 'pay', severity: 'critical' },
      message: 'pay error count 120 at 2024-03-01 16:01:00 (critical)',
      activeSince: at('08:01:00'),
      at: at('08:01:00'),
      evaluatedAt: 5,
    });
  });

  it('fingerprints independently of key order', () => {
    expect(fingerprintOf('r', { b: '2', a: '1' })).toBe(fingerprintOf('r', { a: '1', b: '2' }));
    expect(fingerprintOf('r', { a: '1,b="2"' })).not.toBe(fingerprintOf('r', { a: '1', b: '2' }));
  });

  it('resumes from a snapshot without notifying again', () => {
    const rule = { ...base, for: '1m', repeatInterval: '1h' };
    const ev = createAlertEvaluator(rule);
    run(ev, [120, 120]);
    const resumed = createAlertEvaluator(rule, { restore: JSON.parse(JSON.stringify(ev.snapshot())) });
    expect(states(resumed.evaluate(errors(minute(2), 120), 120_000))).toEqual(['firing']);
    expect(states(resumed.evaluate(errors(minute(1), 120), 120_000))).toEqual([]);
  });
});

describe('alert state', () => {
  const through = <T>(x: T): T => JSON.parse(JSON.stringify(x));
  const DAY = 86_400_000;
  const rule = {
    id: 'mixed',
    metric: 'app_errors',
    for: '2m',
    keepFiringFor: '1m',
    when: [
      { field: 'values.count', op: '>=', value: 100 },
      { baseline: { field: 'values.count', method: 'mad', warmup: 5, relearnAfter: 100 } },
      { change: { field: 'values.count', against: '1d', direction: 'up', ratio: 2 } },
    ],
  };
  /** A day of quiet minutes (the period-over-period slots), then `counts` from 08:00 the next day. */
  const rows = (counts: number[], app = 'pay') =>
    counts.map((c, i) => {
      const r = errors(minute(i), c, app);
      return { ...r, windowStart: r.windowStart + DAY, windowEnd: r.windowEnd + DAY, label: r.label + DAY };
    });
  const history = Array.from({ length: 16 }, (_, i) => errors(minute(i), 40 + (i % 3)));

  it('resumes pending, firing, keep-firing, baseline and period-over-period history from a JSON round trip', () => {
    const live = createAlertEvaluator(rule);
    for (const r of history) live.evaluate(r, 0);
    // 08:00-08:09 quiet and learnt; 08:10 breaks out (pending), 08:12 fires, 08:13 holds on keep-firing.
    const today = rows([41, 40, 42, 41, 40, 41, 42, 40, 41, 40, 300, 300, 300, 40, 40, 300]);
    const seen = today.slice(0, 14).map((r) => states(live.evaluate(r, r.label)));
    expect(seen.slice(10)).toEqual([['pending'], ['pending'], ['firing!'], ['firing']]);
    const saved = through(live.snapshot());
    const resumed = createAlertEvaluator(rule, { restore: saved });
    expect(resumed.stats()).toMatchObject({ firing: 1, series: 1 });
    const rest = today.slice(14);
    expect(rest.map((r) => states(resumed.evaluate(r, r.label)))).toEqual([['resolved!'], ['pending']]);
    expect(rest.map((r) => states(live.evaluate(r, r.label)))).toEqual([['resolved!'], ['pending']]);
    expect(resumed.snapshot()).toEqual(live.snapshot());
    // A replayed row of a window already evaluated changes nothing.
    expect(createAlertEvaluator(rule, { restore: saved }).evaluate(today[12]!, 0)).toEqual([]);
  });

  it('starts over without the state: the alert that was firing would pend again, the baseline warm up again', () => {
    const fresh = createAlertEvaluator(rule);
    expect(states(fresh.evaluate(rows([300])[0]!, 0))).toEqual([]);
  });

  it('refuses a damaged or foreign state, naming what is wrong', () => {
    const ev = createAlertEvaluator(rule);
    for (const r of history) ev.evaluate(r, 0);
    const saved = through(ev.snapshot());
    const restore = (state: unknown, r: object = rule) => () => createAlertEvaluator(r, { restore: state });
    expect(restore({ ...saved, version: 2 })).toThrow(/saved state of alert rule "mixed" is not valid: version: Invalid literal value, expected 1/);
    expect(restore({ ...saved, series: [{ ...saved.series[0], lifecycle: { ...saved.series[0]!.lifecycle, state: 'on' } }] })).toThrow(/series\.0\.lifecycle\.state: Invalid enum value/);
    expect(restore(saved, { ...rule, id: 'other' })).toThrow(/state of alert rule "mixed" does not belong to rule "other"/);
    expect(restore(saved, { ...rule, when: rule.when.slice(0, 2) })).toThrow(/series\[0\] of alert rule "mixed" has 1 baseline and 1 change histories; the rule has 1 and 0/);
    expect(restore({ ...saved, series: [{ ...saved.series[0], changes: [{ steps: [1, 2], values: [3] }] }] })).toThrow(/series\.0\.changes\.0: steps and values differ in length/);
    expect(restore('{}')).toThrow(/is not valid: \(root\): Expected object, received string/);
  });
});

describe('dynamic baseline', () => {
  // a steady series around 100 with a small deterministic wobble
  const steady = Array.from({ length: 30 }, (_, i) => 100 + ((i * 7) % 5) - 2);

  for (const method of ['ewma', 'mad'] as const) {
    it(`${method}: fires only after the band is broken for holdFor points`, () => {
      const ev = createAlertEvaluator({ id: 'b', metric: 'app_errors', when: [{ baseline: { field: 'values.count', method, k: 3, warmup: 10, holdFor: 2, direction: 'up' } }] });
      const out = run(ev, [...steady, 300, 300, 300, 101]);
      expect(out.slice(0, 30).flat()).toEqual([]);
      expect(out.slice(30)).toEqual([[], ['firing!'], ['firing'], ['resolved!']]);
    });
  }

  it('does not judge points during warm-up', () => {
    const ev = createAlertEvaluator({ id: 'b', metric: 'app_errors', when: [{ baseline: { field: 'values.count', warmup: 5 } }] });
    expect(run(ev, [100, 100, 100, 100, 900]).flat()).toEqual([]);
  });

  it('respects the direction', () => {
    const ev = createAlertEvaluator({ id: 'b', metric: 'app_errors', when: [{ baseline: { field: 'values.count', method: 'mad', direction: 'down', warmup: 10 } }] });
    expect(run(ev, [...steady, 300]).flat()).toEqual([]);
    const ev2 = createAlertEvaluator({ id: 'b', metric: 'app_errors', when: [{ baseline: { field: 'values.count', method: 'mad', direction: 'down', warmup: 10 } }] });
    expect(run(ev2, [...steady, 10]).at(-1)).toEqual(['firing!']);
  });

  it('uses minSigma so a flat series does not alert on its first wobble', () => {
    const flat = Array.from({ length: 20 }, () => 50);
    const noFloor = createAlertEvaluator({ id: 'b', metric: 'app_errors', when: [{ baseline: { field: 'values.count', method: 'mad' } }] });
    expect(run(noFloor, [...flat, 51]).at(-1)).toEqual(['firing!']);
    const floor = createAlertEvaluator({ id: 'b', metric: 'app_errors', when: [{ baseline: { field: 'values.count', method: 'mad', minSigma: 2 } }] });
    expect(run(floor, [...flat, 51]).at(-1)).toEqual([]);
  });

  it('keeps a clear band despite an outlier learnt during warm-up with median/MAD, where EWMA widens', () => {
    const history = [...steady.slice(0, 15), 5000, ...steady.slice(15)];
    const rule = (method: string) => ({ id: 'b', metric: 'app_errors', when: [{ baseline: { field: 'values.count', method, warmup: 20, k: 4 } }] });
    expect(run(createAlertEvaluator(rule('mad')), [...history, 140]).at(-1)).toEqual(['firing!']);
    expect(run(createAlertEvaluator(rule('ewma')), [...history, 140]).at(-1)).toEqual([]);
  });

  it('takes a lasting shift as the new level after relearnAfter points', () => {
    const ev = createAlertEvaluator({ id: 'b', metric: 'app_errors', when: [{ baseline: { field: 'values.count', method: 'mad', warmup: 10, relearnAfter: 5 } }] });
    const out = run(ev, [...steady, ...Array.from({ length: 20 }, () => 300)]).slice(30);
    expect(out.slice(0, 5)).toEqual([['firing!'], ['firing'], ['firing'], ['firing'], ['firing']]);
    // the baseline restarted from the new level: quiet once its warm-up is over
    expect(out[5]).toEqual(['resolved!']);
    expect(out.slice(6).flat()).toEqual([]);
  });
});

describe('period over period', () => {
  const DAY = 86_400_000;
  const dayRow = (day: number, count: number, app = 'pay') => {
    const r = errors('08:05:00', count, app);
    return { ...r, windowStart: r.windowStart + day * DAY, windowEnd: r.windowEnd + day * DAY, label: r.label + day * DAY };
  };
  const rule = { id: 'dod', metric: 'app_errors', when: [{ change: { field: 'values.count', against: 'yesterday', direction: 'up', ratio: 2, minVolume: 10 } }] };

  it('compares with the same slot yesterday as a ratio', () => {
    const ev = createAlertEvaluator(rule);
    expect(states(ev.evaluate(dayRow(0, 100), 0))).toEqual([]);
    expect(states(ev.evaluate(dayRow(1, 250), 0))).toEqual(['firing!']);
    expect(states(ev.evaluate(dayRow(2, 300), 0))).toEqual(['resolved!']); // 300 / 250 < 2
  });

  it('compares nothing when the previous slot is below the minimum volume or missing', () => {
    const ev = createAlertEvaluator(rule);
    ev.evaluate(dayRow(0, 5), 0);
    expect(ev.evaluate(dayRow(1, 500), 0)).toEqual([]);
    expect(ev.evaluate(dayRow(3, 5000), 0)).toEqual([]); // day 2 never came
  });

  it('detects drops against last week', () => {
    const ev = createAlertEvaluator({ id: 'wow', metric: 'app_errors', when: [{ change: { field: 'values.count', against: 'last_week', direction: 'down', ratio: 0.5 } }] });
    ev.evaluate(dayRow(0, 1000), 0);
    expect(states(ev.evaluate(dayRow(7, 400), 0))).toEqual(['firing!']);
  });
});
