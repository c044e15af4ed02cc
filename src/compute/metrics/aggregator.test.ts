import { describe, expect, it } from 'vitest';
import { createMetricAggregator, type MetricAggregator } from './aggregator.js';
import { at, event, sorted } from './test-events.js';

const rule = (extra: Record<string, unknown>) => ({ id: 'r', period: '1m', groupBy: ['app'], ...extra });
const feed = (agg: MetricAggregator, events: ReturnType<typeof event>[]) => events.map((e, i) => agg.push(e, 0, i));

describe('simple metric aggregations', () => {
  const events = [
    event('08:00:03', 'pay', { cost: 120, intf: 'charge', result: 0 }, 'h1'),
    event('08:00:10', 'pay', { cost: '80', intf: 'refund', result: -1 }, 'h2'),
    event('08:00:20', 'pay', { cost: 300, intf: 'charge', result: 0 }, 'h1'),
    event('08:00:30', 'pay', { intf: 'query', result: 0 }, 'h3'),
    event('08:00:40', 'shop', { cost: 5, intf: 'list', result: 0 }, 'h9'),
  ];

  it('computes every scalar aggregation per group and window', () => {
    const agg = createMetricAggregator(
      rule({
        aggregations: [
          { as: 'n', fn: 'count' },
          { as: 'max_cost', fn: 'max', field: 'cost' },
          { as: 'min_cost', fn: 'min', field: 'cost' },
          { as: 'avg_cost', fn: 'avg', field: 'cost' },
          { as: 'sum_cost', fn: 'sum', field: 'cost' },
          { as: 'intfs', fn: 'distinct_values', field: 'intf' },
          { as: 'hosts', fn: 'distinct_count', field: 'host' },
          { as: 'first_intf', fn: 'value', field: 'intf' },
        ],
      }),
    );
    expect(feed(agg, events)).toEqual(['accepted', 'accepted', 'accepted', 'accepted', 'accepted']);
    const base = { ruleId: 'r', windowStart: at('08:00:00'), windowEnd: at('08:01:00'), label: at('08:01:00') };
    expect(sorted(agg.advance(at('08:01:00')))).toEqual([
      { ...base, key: { app: 'pay' }, values: { n: 4, max_cost: 300, min_cost: 80, avg_cost: 500 / 3, sum_cost: 500, intfs: 'charge,query,refund', hosts: 3, first_intf: 'charge' } },
      { ...base, key: { app: 'shop' }, values: { n: 1, max_cost: 5, min_cost: 5, avg_cost: 5, sum_cost: 5, intfs: 'list', hosts: 1, first_intf: 'list' } },
    ]);
    // the event without a cost counts toward n but not toward the four cost aggregations
    expect(agg.stats()).toMatchObject({ accepted: 5, invalidValues: 4, rowsEmitted: 2, windowsClosed: 1 });
  });

  it('leaves out a value no event could give', () => {
    const agg = createMetricAggregator(rule({ aggregations: [{ as: 'n', fn: 'count' }, { as: 'max_cost', fn: 'max', field: 'cost' }] }));
    agg.push(event('08:00:01', 'pay', {}));
    expect(agg.flush()[0]!.values).toEqual({ n: 1 });
  });

  it('takes the first event of the group in event time for "value", whatever the arrival order', () => {
    const agg = createMetricAggregator({ id: 'disk', period: '1m', groupBy: ['ip', 'mount'], aggregations: [{ as: 'used', fn: 'value', field: 'used_pct' }] });
    agg.push(event('08:00:30', 'agent', { ip: '10.0.0.1', mount: '/', used_pct: 71 }));
    agg.push(event('08:00:10', 'agent', { ip: '10.0.0.1', mount: '/', used_pct: 70 }));
    agg.push(event('08:00:10', 'agent', { ip: '10.0.0.1', mount: '/data', used_pct: 12 }));
    expect(sorted(agg.flush()).map((r) => [r.key, r.values])).toEqual([
      [{ ip: '10.0.0.1', mount: '/' }, { used: 70 }],
      [{ ip: '10.0.0.1', mount: '/data' }, { used: 12 }],
    ]);
  });

  it('picks the event with the largest (smallest) field for "value" with an eq_max (eq_min) filter', () => {
    const events2 = [
      event('08:00:01', 'cluster', { app_name: 'pay', ip: '10.0.0.1', cpu_use: 40 }),
      event('08:00:02', 'cluster', { app_name: 'pay', ip: '10.0.0.2', cpu_use: 93 }),
      event('08:00:03', 'cluster', { app_name: 'pay', ip: '10.0.0.3', cpu_use: '75' }),
    ];
    for (const [op, ip] of [
      ['eq_max', '10.0.0.2'],
      ['eq_min', '10.0.0.1'],
    ] as const) {
      const agg = createMetricAggregator({ id: 'hot', period: '1m', groupBy: ['app_name'], where: [{ field: 'cpu_use', op }], aggregations: [{ as: 'ip', fn: 'value', field: 'ip' }] });
      feed(agg, events2);
      expect(agg.flush().map((r) => r.values)).toEqual([{ ip }]);
    }
  });

  it('makes one ratio row per enum value within the group less the ratio field', () => {
    // configured as in the reference: intf_name and result as key, result as value
    const agg = createMetricAggregator({ id: 'rate', period: '1m', groupBy: ['intf_name', 'result'], aggregations: [{ as: 'ratio', fn: 'ratio', field: 'result' }] });
    for (const r of [0, 0, 0, -1]) agg.push(event('08:00:05', 'pay', { intf_name: 'charge', result: r }));
    agg.push(event('08:00:06', 'pay', { intf_name: 'refund', result: 0 }));
    expect(sorted(agg.flush()).map((r) => [r.key, r.values])).toEqual([
      [{ intf_name: 'charge', result: '-1' }, { ratio: 0.25 }],
      [{ intf_name: 'charge', result: '0' }, { ratio: 0.75 }],
      [{ intf_name: 'refund', result: '0' }, { ratio: 1 }],
    ]);
  });

  it('appends the ratio field to the key when the rule does not group by it', () => {
    const agg = createMetricAggregator({ id: 'rate', period: '1m', groupBy: ['app'], aggregations: [{ as: 'share', fn: 'ratio', field: 'level' }] });
    agg.push({ ...event('08:00:05', 'pay'), level: 'ERROR' });
    agg.push({ ...event('08:00:06', 'pay'), level: 'INFO' });
    expect(sorted(agg.flush()).map((r) => [r.key, r.values])).toEqual([
      [{ app: 'pay', level: 'ERROR' }, { share: 0.5 }],
      [{ app: 'pay', level: 'INFO' }, { share: 0.5 }],
    ]);
  });

  it('ranks the N slowest events for TopN, each shown by its display field', () => {
    const agg = createMetricAggregator({ id: 'slow', period: '1m', groupBy: ['app_name'], aggregations: [{ as: 'cost', fn: 'topn', field: 'cost#service_name#3' }] });
    const costs: Array<[string, number]> = [['a', 10], ['b', 50], ['c', 30], ['d', 50], ['e', 5], ['f', 40]];
    costs.forEach(([svc, cost], i) => agg.push(event(`08:00:${String(10 + i).padStart(2, '0')}`, 'x', { app_name: 'pay', service_name: svc, cost })));
    expect(agg.flush().map((r) => [r.key, r.values])).toEqual([
      [{ app_name: 'pay', service_name: 'b', rank: '1' }, { cost: 50 }],
      [{ app_name: 'pay', service_name: 'd', rank: '2' }, { cost: 50 }],
      [{ app_name: 'pay', service_name: 'f', rank: '3' }, { cost: 40 }],
    ]);
  });

  it('applies where-filters before grouping', () => {
    const agg = createMetricAggregator({
      id: 'slow_intfs',
      period: '1m',
      groupBy: ['app'],
      where: [
        { field: 'cost', op: '>', value: 100 },
        { field: 'intf', op: 'not_in', value: 'query,list' },
      ],
      aggregations: [{ as: 'intfs', fn: 'distinct_values', field: 'intf' }],
    });
    expect(feed(agg, events)).toEqual(['accepted', 'filtered', 'accepted', 'filtered', 'filtered']);
    expect(agg.flush().map((r) => r.values)).toEqual([{ intfs: 'charge' }]);
  });
});

describe('windows of a metric', () => {
  it('labels backward by default and forward on request', () => {
    for (const [label, want] of [
      ['backward', '08:01:00'],
      ['forward', '08:00:00'],
    ] as const) {
      const agg = createMetricAggregator({ id: 'r', period: '1m', label, aggregations: [{ as: 'n', fn: 'count' }] });
      agg.push(event('08:00:03', 'pay'));
      agg.push(event('08:00:00', 'pay'));
      expect(agg.flush()).toEqual([{ ruleId: 'r', windowStart: at('08:00:00'), windowEnd: at('08:01:00'), label: at(want), key: {}, values: { n: 2 } }]);
    }
  });

  it('splits a 3-minute metric at :03 and :06', () => {
    const agg = createMetricAggregator({ id: 'r', period: '3m', aggregations: [{ as: 'n', fn: 'count' }] });
    for (const t of ['08:02:59.999', '08:03:00', '08:05:59', '08:06:00']) agg.push(event(t, 'pay'));
    expect(agg.flush().map((r) => [new Date(r.label).toISOString().slice(11, 19), r.values.n])).toEqual([
      ['08:03:00', 1],
      ['08:06:00', 2],
      ['08:09:00', 1],
    ]);
  });

  it('waits the allowed lateness, then counts later events as late', () => {
    const agg = createMetricAggregator({ id: 'r', period: '1m', aggregations: [{ as: 'n', fn: 'count' }] }, { allowedLatenessMs: 30_000 });
    agg.push(event('08:00:10', 'pay'));
    expect(agg.advance(at('08:01:20'))).toEqual([]);
    expect(agg.push(event('08:00:50', 'pay'))).toBe('accepted');
    expect(agg.advance(at('08:01:30')).map((r) => r.values.n)).toEqual([2]);
    expect(agg.push(event('08:00:59', 'pay'))).toBe('late');
    expect(agg.push(event('08:01:00', 'pay'))).toBe('accepted');
    expect(agg.stats()).toMatchObject({ late: 1, accepted: 3 });
  });

  it('holds back commits to the oldest offset still in an open window', () => {
    const agg = createMetricAggregator({ id: 'r', period: '1m', aggregations: [{ as: 'n', fn: 'count' }] });
    agg.push(event('08:00:10', 'pay'), 0, 100);
    agg.push(event('08:01:10', 'pay'), 0, 101);
    agg.push(event('08:00:20', 'pay'), 1, 7);
    expect(agg.oldestOpenEventOffset(0)).toBe(100);
    expect(agg.oldestOpenEventOffset(1)).toBe(7);
    agg.advance(at('08:01:00'));
    expect(agg.oldestOpenEventOffset(0)).toBe(101);
    expect(agg.oldestOpenEventOffset(1)).toBeUndefined();
    expect(agg.closedThrough()).toBe(at('08:01:00'));
  });

  it('drops new series past maxSeries and reports the storm', () => {
    const agg = createMetricAggregator({ id: 'r', period: '1m', groupBy: ['app'], maxSeries: 2, aggregations: [{ as: 'n', fn: 'count' }] });
    expect(['a', 'b', 'c', 'a', 'd'].map((app) => agg.push(event('08:00:10', app)))).toEqual(['accepted', 'accepted', 'dropped', 'accepted', 'dropped']);
    expect(agg.drainStorms()).toEqual([{ ruleId: 'r', label: at('08:01:00'), windowStart: at('08:00:00'), cap: 2, dropped: 2 }]);
    expect(agg.openSeries()).toBe(2);
    expect(agg.stats().dropped).toBe(2);
  });

  it('takes a batch like single pushes and returns the indices of the late events', () => {
    const r = { id: 'r', period: '1m', groupBy: ['app'], aggregations: [{ as: 'n', fn: 'count' }] };
    const batch = [event('08:01:10', 'pay'), event('08:00:10', 'pay'), event('08:01:20', 'shop'), event('07:59:59', 'pay')];
    const one = createMetricAggregator(r);
    const many = createMetricAggregator(r);
    one.advance(at('08:01:00'));
    many.advance(at('08:01:00'));
    const results = batch.map((e, i) => one.push(e, 3, 10 + i));
    expect(many.pushBatch(batch, 3, [10, 11, 12, 13])).toEqual([1, 3]);
    expect(results).toEqual(['accepted', 'late', 'accepted', 'late']);
    expect(many.oldestOpenEventOffset(3)).toBe(10);
    expect(many.stats()).toEqual(one.stats());
    expect(many.flush()).toEqual(one.flush());
  });

  it('counts events without a usable time as invalid', () => {
    const agg = createMetricAggregator({ id: 'r', period: '1m', aggregations: [{ as: 'n', fn: 'count' }] });
    expect(agg.push({ ...event('08:00:10', 'pay'), ts: Number.NaN })).toBe('invalid');
  });

  it('resumes from a snapshot, and treats replays of emitted windows as late', () => {
    const r = { id: 'r', period: '1m', groupBy: ['app'], aggregations: [{ as: 'n', fn: 'count' }, { as: 'hosts', fn: 'distinct_values', field: 'host' }] };
    const evs = [event('08:00:10', 'pay', {}, 'h1'), event('08:01:10', 'pay', {}, 'h2'), event('08:01:20', 'shop', {}, 'h3'), event('08:01:30', 'pay', {}, 'h4')];
    const whole = createMetricAggregator(r);
    feed(whole, evs);
    const first = createMetricAggregator(r);
    first.push(evs[0]!, 0, 0);
    first.push(evs[1]!, 0, 1);
    const emitted = first.advance(at('08:01:10'));
    const state = JSON.parse(JSON.stringify(first.snapshot()));
    const resumed = createMetricAggregator(r, { restore: state });
    expect(resumed.oldestOpenEventOffset(0)).toBe(1);
    expect(resumed.push(evs[0]!, 0, 0)).toBe('late');
    resumed.push(evs[2]!, 0, 2);
    resumed.push(evs[3]!, 0, 3);
    expect(sorted([...emitted, ...resumed.flush()])).toEqual(sorted(whole.flush()));
  });

  it('refuses a snapshot of another rule', () => {
    const a = createMetricAggregator({ id: 'a', period: '1m', aggregations: [{ as: 'n', fn: 'count' }] });
    expect(() => createMetricAggregator({ id: 'b', period: '1m', aggregations: [{ as: 'n', fn: 'count' }] }, { restore: a.snapshot() })).toThrow(/does not belong to rule "b"/);
  });
});
