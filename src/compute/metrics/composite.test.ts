import { describe, expect, it } from 'vitest';
import type { AlertEvent } from '../alerts/types.js';
import { createCompositeAggregator } from './composite.js';
import { validateCompositeRule, type CompositeSourceInfo } from './composite-schema.js';
import type { MetricRow } from './row.js';
import { scoreOf } from './score.js';
import { at, row, sorted } from './test-events.js';

const FIVE = 300_000;
const SOURCES: Record<string, CompositeSourceInfo> = {
  host_cpu: { kind: 'metric', period: '5m', keys: ['app', 'host'], values: ['cpu'] },
  api_rate: { kind: 'metric', period: '1m', keys: ['app', 'intf'], values: ['ratio', 'calls'] },
  slow_api: { kind: 'alert', period: '1m', keys: ['app', 'intf', 'host'] },
  vpn: { kind: 'metric', period: '1m', keys: ['ext_ip', 'inner_ip', 'inner_port'], values: ['n'] },
  fw: { kind: 'metric', period: '1m', keys: ['inner_ip', 'inner_port', 'dcn_ip'], values: ['n'] },
  slow_30: { kind: 'metric', period: '30m', keys: ['app'], values: ['n'] },
};

const CPU_SCORE = [
  { gte: 0, lt: 50, score: 10 },
  { gte: 50, lt: 95, score: 5 },
  { gte: 95, score: 0 },
];

const health = {
  id: 'app_health',
  period: '10m',
  groupBy: ['app'],
  scores: { cpu: CPU_SCORE },
  sources: [
    { alias: 'A1', metric: 'host_cpu', value: 'cpu', score: 'cpu', reduce: 'min' },
    { alias: 'B1', metric: 'api_rate', value: 'ratio', reduce: 'avg' },
  ],
  formula: 'A1*0.5 + B1*5',
  as: 'health',
};

const cpu = (label: string, app: string, host: string, v: number) => row('host_cpu', label, { app, host }, { cpu: v }, FIVE);
const rate = (label: string, app: string, intf: string, v: number) => row('api_rate', label, { app, intf }, { ratio: v });

function alert(fp: string, state: AlertEvent['state'], metric: MetricRow): AlertEvent {
  return { ruleId: 'slow_api', fingerprint: fp, state, notify: false, labels: {}, message: '', activeSince: metric.label, at: metric.label, evaluatedAt: 0, metric };
}

describe('score mapping', () => {
  it('takes the score of the last range that holds the value', () => {
    expect(scoreOf(CPU_SCORE, 10)).toBe(10);
    expect(scoreOf(CPU_SCORE, 50)).toBe(5);
    expect(scoreOf(CPU_SCORE, 99)).toBe(0);
    expect(scoreOf(CPU_SCORE, -1)).toBeUndefined();
    const overlapping = [{ gt: 0, score: 1 }, { gt: 10, score: 2 }, { gt: 20, lte: 30, score: 3 }];
    expect([5, 15, 25, 35].map((v) => scoreOf(overlapping, v))).toEqual([1, 2, 3, 2]);
  });
});

describe('formula composites', () => {
  it('scores, reduces and combines sources per group and composite window', () => {
    const c = createCompositeAggregator(health, SOURCES);
    // 5-minute rows ending at 08:05 and 08:10 both fall in [08:00, 08:10)
    c.push(cpu('08:05:00', 'pay', 'h1', 30)); // score 10
    c.push(cpu('08:10:00', 'pay', 'h2', 97)); // score 0 → min 0
    c.push(rate('08:01:00', 'pay', 'charge', 0.9));
    c.push(rate('08:09:00', 'pay', 'refund', 0.7)); // avg 0.8
    c.push(cpu('08:10:00', 'shop', 'h3', 60)); // score 5
    c.push(rate('08:10:00', 'shop', 'list', 1));
    c.push(cpu('08:15:00', 'pay', 'h1', 10)); // next window
    const rows = sorted(c.advance(at('08:10:00')));
    expect(rows.map((r) => [r.key, r.values])).toEqual([
      [{ app: 'pay' }, { A1: 0, B1: 0.8, health: 4 }],
      [{ app: 'shop' }, { A1: 5, B1: 1, health: 7.5 }],
    ]);
    expect(rows[0]).toMatchObject({ windowStart: at('08:00:00'), windowEnd: at('08:10:00'), label: at('08:10:00') });
    expect(c.stats()).toMatchObject({ accepted: 7, rowsEmitted: 2 });
    expect(c.openSeries()).toBe(1);
  });

  it.each([
    ['max', 0.9],
    ['min', 0.5],
    ['avg', 0.7],
    ['sum', 2.1],
    ['count', 3],
    ['count_distinct', 2],
  ] as const)('reduces many source values with %s', (reduce, want) => {
    const c = createCompositeAggregator(
      { id: 'x', period: '5m', groupBy: ['app'], sources: [{ alias: 'A1', metric: 'api_rate', value: 'ratio', reduce, ...(reduce === 'count_distinct' ? { distinctBy: 'key.intf' } : {}) }], formula: 'A1' },
      SOURCES,
    );
    c.push(rate('08:01:00', 'pay', 'a', 0.9));
    c.push(rate('08:02:00', 'pay', 'b', 0.5));
    c.push(rate('08:03:00', 'pay', 'a', 0.7));
    expect(c.flush()[0]!.values.value).toBeCloseTo(want, 10);
  });

  it('keeps only source rows that pass the fixed-value filters', () => {
    const c = createCompositeAggregator(
      { id: 'x', period: '5m', sources: [{ alias: 'A1', metric: 'host_cpu', value: 'cpu', reduce: 'max', where: [{ field: 'key.host', op: '=', value: 'h2' }] }], formula: 'A1' },
      SOURCES,
    );
    expect(c.push(cpu('08:05:00', 'pay', 'h1', 99))).toBe('filtered');
    expect(c.push(cpu('08:05:00', 'pay', 'h2', 40))).toBe('accepted');
    expect(c.push(row('other_rule', '08:05:00', {}, { cpu: 1 }))).toBe('filtered');
    expect(c.flush().map((r) => r.values)).toEqual([{ A1: 40, value: 40 }]);
  });

  it('skips a group an alias has nothing for, unless the alias has a default', () => {
    const onlyCpu = () => cpu('08:05:00', 'pay', 'h1', 30);
    const strict = createCompositeAggregator(health, SOURCES);
    strict.push(onlyCpu());
    expect(strict.flush()).toEqual([]);
    expect(strict.stats().incomplete).toBe(1);
    const lenient = createCompositeAggregator({ ...health, sources: [health.sources[0], { ...health.sources[1], default: 1 }] }, SOURCES);
    lenient.push(onlyCpu());
    expect(lenient.flush().map((r) => r.values.health)).toEqual([10]);
  });

  it('emits nothing for a group whose formula divides by zero', () => {
    const c = createCompositeAggregator({ id: 'x', period: '5m', sources: [{ alias: 'A1', metric: 'api_rate', value: 'calls', reduce: 'sum' }], formula: '100/A1' }, SOURCES);
    c.push(row('api_rate', '08:01:00', { app: 'p', intf: 'a' }, { calls: 0 }));
    expect(c.flush()).toEqual([]);
    expect(c.stats().undefinedResults).toBe(1);
  });

  it('counts rows whose value is not a number or falls in no score range', () => {
    const c = createCompositeAggregator(health, SOURCES);
    c.push(row('host_cpu', '08:05:00', { app: 'p', host: 'h' }, { cpu: 'n/a' }, FIVE));
    c.push(cpu('08:05:00', 'p', 'h', -5));
    expect(c.stats()).toMatchObject({ invalidValues: 1, unscored: 1 });
  });

  it('counts firing alerts once each, or once per distinct dimension', () => {
    const count = createCompositeAggregator({ id: 'n_alerts', period: '5m', groupBy: ['app'], sources: [{ alias: 'C1', alerts: 'slow_api', reduce: 'count' }], formula: 'C1' }, SOURCES);
    const hosts = createCompositeAggregator(
      { id: 'n_hosts', period: '5m', groupBy: ['app'], sources: [{ alias: 'C1', alerts: 'slow_api', reduce: 'count_distinct', distinctBy: 'key.host' }], formula: 'C1' },
      SOURCES,
    );
    const m = (label: string, intf: string, host: string) => row('slow_api_metric', label, { app: 'pay', intf, host }, { ratio: 0.5 });
    const events = [
      alert('a', 'firing', m('08:01:00', 'charge', 'h1')),
      alert('a', 'firing', m('08:02:00', 'charge', 'h1')), // the same alert again
      alert('b', 'firing', m('08:02:00', 'refund', 'h1')), // another alert on the same host
      alert('c', 'firing', m('08:03:00', 'query', 'h2')),
      alert('d', 'pending', m('08:03:00', 'list', 'h3')),
      alert('e', 'resolved', m('08:03:00', 'list', 'h4')),
    ];
    for (const e of events) {
      count.pushAlert(e);
      hosts.pushAlert(e);
    }
    expect(count.flush().map((r) => r.values.value)).toEqual([3]);
    expect(hosts.flush().map((r) => r.values.value)).toEqual([2]);
  });

  it('counts source rows that arrive after their composite window closed as late', () => {
    const c = createCompositeAggregator(health, SOURCES);
    c.advance(at('08:10:00'));
    expect(c.push(cpu('08:10:00', 'pay', 'h1', 1))).toBe('late');
    expect(c.push(cpu('08:15:00', 'pay', 'h1', 1))).toBe('accepted');
    expect(c.closedThrough()).toBe(at('08:10:00'));
  });
});

describe('join composites', () => {
  const join = {
    id: 'vpn_to_dcn',
    type: 'join',
    period: '5m',
    left: { alias: 'A', metric: 'vpn' },
    right: { alias: 'B', metric: 'fw' },
    on: [
      { left: 'inner_ip', right: 'inner_ip' },
      { left: 'inner_port', right: 'inner_port' },
    ],
  };

  it('joins rows of two metrics that agree on the key fields', () => {
    const c = createCompositeAggregator(join, SOURCES);
    c.push(row('vpn', '08:01:00', { ext_ip: '1.2.3.4', inner_ip: '10.1.1.1', inner_port: '5000' }, { n: 1 }));
    c.push(row('vpn', '08:01:00', { ext_ip: '5.6.7.8', inner_ip: '10.1.1.2', inner_port: '5000' }, { n: 2 }));
    c.push(row('fw', '08:03:00', { inner_ip: '10.1.1.1', inner_port: '5000', dcn_ip: '172.16.0.9' }, { n: 7 }));
    c.push(row('fw', '08:03:00', { inner_ip: '10.1.1.1', inner_port: '5001', dcn_ip: '172.16.0.8' }, { n: 1 }));
    expect(c.flush().map((r) => [r.key, r.values])).toEqual([
      [{ ext_ip: '1.2.3.4', inner_ip: '10.1.1.1', inner_port: '5000', dcn_ip: '172.16.0.9' }, { 'A.n': 1, 'B.n': 7 }],
    ]);
  });

  it('joins only within one composite window', () => {
    const c = createCompositeAggregator(join, SOURCES);
    c.push(row('vpn', '08:04:00', { ext_ip: 'x', inner_ip: 'i', inner_port: 'p' }, { n: 1 }));
    c.push(row('fw', '08:06:00', { inner_ip: 'i', inner_port: 'p', dcn_ip: 'd' }, { n: 1 }));
    expect(c.flush()).toEqual([]);
  });
});

describe('composite state', () => {
  const counted = { ...health, sources: [...health.sources, { alias: 'S', alerts: 'slow_api', reduce: 'count_distinct', distinctBy: 'key.host' }], formula: 'A1*0.5 + B1*5 - S' };
  const through = <T>(x: T): T => JSON.parse(JSON.stringify(x));

  it('restores open windows, collected values, distinct alerts and the watermark from a JSON round trip', () => {
    const c = createCompositeAggregator(counted, SOURCES);
    c.push(cpu('08:05:00', 'pay', 'h1', 30));
    c.push(rate('08:01:00', 'pay', 'charge', 0.9));
    c.pushAlert(alert('a1', 'firing', row('slow_api', '08:02:00', { app: 'pay', intf: 'charge', host: 'h1' }, {})));
    c.push(cpu('08:10:00', 'shop', 'h3', 60));
    c.push(rate('08:10:00', 'shop', 'list', 1));
    expect(c.advance(at('08:00:00'))).toEqual([]);
    const resumed = createCompositeAggregator(counted, SOURCES, { restore: through(c.snapshot()) });
    expect(resumed.openSeries()).toBe(2);
    for (const agg of [c, resumed]) {
      agg.push(cpu('08:10:00', 'pay', 'h2', 97));
      agg.push(rate('08:09:00', 'pay', 'refund', 0.7));
      agg.pushAlert(alert('a2', 'firing', row('slow_api', '08:04:00', { app: 'pay', intf: 'refund', host: 'h1' }, {})));
      agg.pushAlert(alert('a3', 'firing', row('slow_api', '08:05:00', { app: 'pay', intf: 'refund', host: 'h2' }, {})));
    }
    const rows = sorted(resumed.advance(at('08:10:00')));
    expect(rows.map((r) => [r.key, r.values])).toEqual([
      [{ app: 'pay' }, { A1: 0, B1: 0.8, S: 2, health: 2 }],
      [{ app: 'shop' }, { A1: 5, B1: 1, S: 0, health: 7.5 }],
    ]);
    expect(sorted(c.advance(at('08:10:00')))).toEqual(rows);
    // A window the state had closed stays closed.
    const closed = createCompositeAggregator(counted, SOURCES, { restore: through(resumed.snapshot()) });
    expect(closed.push(cpu('08:05:00', 'pay', 'h1', 30))).toBe('late');
    expect(closed.push(cpu('08:15:00', 'pay', 'h1', 30))).toBe('accepted');
  });

  it('restores the rows a join still waits to pair', () => {
    const join = { id: 'vpn_to_dcn', type: 'join', period: '5m', left: { alias: 'A', metric: 'vpn' }, right: { alias: 'B', metric: 'fw' }, on: [{ left: 'inner_ip', right: 'inner_ip' }] };
    const c = createCompositeAggregator(join, SOURCES);
    c.push(row('vpn', '08:01:00', { ext_ip: '1.2.3.4', inner_ip: '10.1.1.1', inner_port: '5000' }, { n: 1 }));
    c.push(row('fw', '08:02:00', { inner_ip: '10.1.1.2', inner_port: '1', dcn_ip: 'd2' }, { n: 3 }));
    const resumed = createCompositeAggregator(join, SOURCES, { restore: through(c.snapshot()) });
    for (const agg of [c, resumed]) {
      agg.push(row('fw', '08:03:00', { inner_ip: '10.1.1.1', inner_port: '5000', dcn_ip: 'd1' }, { n: 7 }));
      agg.push(row('vpn', '08:04:00', { ext_ip: '5.6.7.8', inner_ip: '10.1.1.2', inner_port: '6000' }, { n: 2 }));
    }
    const rows = resumed.flush();
    expect(rows.map((r) => r.values)).toEqual([
      { 'A.n': 1, 'B.n': 7 },
      { 'A.n': 2, 'B.n': 3 },
    ]);
    expect(c.flush()).toEqual(rows);
  });

  it('refuses a damaged or foreign state, naming what is wrong', () => {
    const good = createCompositeAggregator(counted, SOURCES);
    good.push(cpu('08:05:00', 'pay', 'h1', 30));
    const state = through(good.snapshot());
    const restore = (s: unknown, rule: unknown = counted) => () => createCompositeAggregator(rule, SOURCES, { restore: s });
    expect(restore({ ...state, version: 2 })).toThrow(/saved state of composite rule "app_health" is not valid: version: Invalid literal value, expected 1/);
    expect(restore({ ...state, windows: [{ start: 'x' }] })).toThrow(/windows\.0\.start: Expected number, received string/);
    expect(restore(state, { ...counted, id: 'other' })).toThrow(/state of composite rule "app_health" does not belong to rule "other"/);
    expect(restore(state, health)).toThrow(/has 3 aliases; the rule has 2/);
    expect(restore({ ...state, windows: [{ ...state.windows[0], start: at('08:01:00') }] })).toThrow(/not a start of its 600000 ms windows/);
  });
});

describe('composite validation', () => {
  const messageOf = (rule: unknown) => {
    try {
      validateCompositeRule(rule, SOURCES);
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('rule was accepted');
  };

  it.each([
    ['composite.formula: unknown alias "C1" at column 8', { ...health, formula: 'A1*0.2+C1*0.5' }],
    ['composite.formula: expected a number, an alias or "(", got the end of the formula at column 11', { ...health, formula: 'A1*0.2+B1*' }],
    ['composite.formula: unknown alias "constructor" at column 6', { ...health, formula: 'A1 + constructor' }],
    ['composite.period: 10m is shorter than the period 30m of source A1 ("slow_30"); a composite period must be at least its sources\'', { ...health, sources: [{ alias: 'A1', metric: 'slow_30', value: 'n', reduce: 'max' }], formula: 'A1' }],
    ['composite.sources[0].metric: unknown metric rule "nope"', { ...health, sources: [{ ...health.sources[0], metric: 'nope' }, health.sources[1]] }],
    ['composite.sources[0].metric: unknown metric rule "slow_api"', { ...health, sources: [{ ...health.sources[0], metric: 'slow_api' }, health.sources[1]] }],
    ['composite.groupBy: source B1 ("api_rate") has no key field "host"', { ...health, groupBy: ['host'] }],
    ['composite.sources[0].value: source rule "host_cpu" has no value "mem" (it has cpu)', { ...health, sources: [{ ...health.sources[0], value: 'mem' }, health.sources[1]] }],
    ['composite.sources[0].score: unknown score mapping "disk"', { ...health, sources: [{ ...health.sources[0], score: 'disk' }, health.sources[1]] }],
    ['composite.sources[1]: alias "A1" appears more than once', { ...health, sources: [health.sources[0], { ...health.sources[1], alias: 'A1' }] }],
    ['composite.sources[0].alias: "max" is a formula function and cannot be an alias', { ...health, sources: [{ ...health.sources[0], alias: 'max' }], formula: 'max' }],
    ['composite.sources[0].reduce: alerts can only be counted: use count or count_distinct', { ...health, sources: [{ alias: 'C1', alerts: 'slow_api', reduce: 'avg' }], formula: 'C1' }],
    ['composite.sources[0].distinctBy: count_distinct needs distinctBy', { ...health, sources: [{ alias: 'C1', alerts: 'slow_api', reduce: 'count_distinct' }], formula: 'C1' }],
    ['composite.scores.cpu[0].gte: use gt or gte, not both', { ...health, scores: { cpu: [{ gt: 5, gte: 6, score: 1 }] } }],
    ['composite.scores.cpu[0]: the range from 9 to 3 is empty', { ...health, scores: { cpu: [{ gte: 9, lt: 3, score: 1 }] } }],
    ["composite.type: Invalid discriminator value. Expected 'formula' | 'join'", { ...health, type: 'union' }],
    ['composite.on[0].right: source B ("fw") has no key field "ext_ip"', { id: 'j', type: 'join', period: '5m', left: { alias: 'A', metric: 'vpn' }, right: { alias: 'B', metric: 'fw' }, on: [{ left: 'inner_ip', right: 'ext_ip' }] }],
  ] as Array<[string, unknown]>)('rejects with %s', (want, rule) => {
    expect(messageOf(rule)).toContain(want);
  });

  it('accepts a period equal to or longer than every source', () => {
    expect(() => validateCompositeRule({ ...health, period: '5m' }, SOURCES)).not.toThrow();
    expect(() => validateCompositeRule({ ...health, period: '4m' }, SOURCES)).toThrow('composite.period: 4m is shorter than the period 5m of source A1 ("host_cpu")');
  });

  it('resolves score mappings from the shared library', () => {
    const rule = { ...health, scores: undefined, sources: [{ ...health.sources[0], score: 'shared_cpu' }, health.sources[1]] };
    expect(() => validateCompositeRule(rule, SOURCES)).toThrow('unknown score mapping "shared_cpu"');
    expect(() => validateCompositeRule(rule, SOURCES, { shared_cpu: CPU_SCORE })).not.toThrow();
  });
});
