import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../../core/event.js';
import { createMetricAggregator } from './aggregator.js';
import { at, sorted } from './test-events.js';

const RULES = [
  {
    id: 'all_scalars',
    period: '1m',
    groupBy: ['app', 'intf'],
    aggregations: [
      { as: 'n', fn: 'count' },
      { as: 'max', fn: 'max', field: 'cost' },
      { as: 'min', fn: 'min', field: 'cost' },
      { as: 'avg', fn: 'avg', field: 'cost' },
      { as: 'sum', fn: 'sum', field: 'cost' },
      { as: 'hosts', fn: 'distinct_values', field: 'host' },
      { as: 'nhosts', fn: 'distinct_count', field: 'host' },
      { as: 'first', fn: 'value', field: 'host' },
    ],
  },
  { id: 'ratio', period: '2m', groupBy: ['app', 'result'], aggregations: [{ as: 'ratio', fn: 'ratio', field: 'result' }] },
  { id: 'top', period: '1m', groupBy: ['app'], aggregations: [{ as: 'cost', fn: 'topn', field: 'cost#intf#3' }] },
  { id: 'hottest', period: '1m', groupBy: ['app'], where: [{ field: 'cost', op: 'eq_max' }], aggregations: [{ as: 'host', fn: 'value', field: 'host' }] },
] as const;

// Integer costs keep sums exact, so merge order cannot change a float's last bit.
const eventArb = fc.record({
  sec: fc.integer({ min: 0, max: 299 }),
  app: fc.constantFrom('pay', 'shop', 'user'),
  intf: fc.constantFrom('a', 'b', 'c', 'd'),
  host: fc.constantFrom('h1', 'h2', 'h3', 'h4', 'h5'),
  cost: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }),
  result: fc.constantFrom(0, -1, -2),
  side: fc.boolean(),
  partition: fc.integer({ min: 0, max: 3 }),
});

function toEvent(e: typeof eventArb extends fc.Arbitrary<infer T> ? T : never): LogEvent {
  return { ts: at('08:00:00') + e.sec * 1000, domain: 'd', env: 'prod', app: e.app, file: 'f', host: e.host, message: '', fields: { intf: e.intf, cost: e.cost, result: e.result } };
}

describe('two-phase aggregation', () => {
  for (const rule of RULES) {
    it(`gives the same rows as one aggregator when events are split and partials merged (${rule.id})`, () => {
      fc.assert(
        fc.property(fc.array(eventArb, { maxLength: 120 }), (raw) => {
          const one = createMetricAggregator(rule);
          const left = createMetricAggregator(rule);
          const right = createMetricAggregator(rule);
          const owner = createMetricAggregator(rule);
          raw.forEach((e, offset) => {
            const ev = toEvent(e);
            one.push(ev, e.partition, offset);
            (e.side ? left : right).push(ev, e.partition, offset);
          });
          for (const p of [...left.partial(), ...JSON.parse(JSON.stringify(right.partial()))]) expect(owner.mergePartial(p)).toBe('accepted');
          expect(sorted(owner.flush())).toEqual(sorted(one.flush()));
        }),
        { seed: 20240301, numRuns: 150 },
      );
    });
  }

  it('merges partials emitted as windows close in phase one', () => {
    const rule = RULES[0];
    const a = createMetricAggregator(rule);
    const b = createMetricAggregator(rule);
    const owner = createMetricAggregator(rule);
    const one = createMetricAggregator(rule);
    const evs = [10, 70, 80, 130, 200].map((s, i) => ({ ts: at('08:00:00') + s * 1000, domain: 'd', env: 'p', app: 'pay', file: 'f', host: `h${i}`, message: '', fields: { intf: 'a', cost: s } }));
    evs.forEach((e, i) => {
      one.push(e);
      (i % 2 ? a : b).push(e);
    });
    const phaseOne = [...a.advancePartials(at('08:02:00')), ...b.advancePartials(at('08:02:00'))];
    expect(new Set(phaseOne.map((p) => p.windowStart))).toEqual(new Set([at('08:00:00'), at('08:01:00')]));
    for (const p of [...phaseOne, ...a.flushPartials(), ...b.flushPartials()]) owner.mergePartial(p);
    expect(sorted(owner.flush())).toEqual(sorted(one.flush()));
  });

  it('refuses a partial of another rule or a misaligned window', () => {
    const owner = createMetricAggregator(RULES[0]);
    const p = { ruleId: 'all_scalars', windowStart: at('08:00:00'), keyId: 'x', key: {}, accs: [] };
    expect(() => owner.mergePartial({ ...p, ruleId: 'other' })).toThrow(/partial of rule "other"/);
    expect(() => owner.mergePartial({ ...p, windowStart: at('08:00:30') })).toThrow(/not aligned/);
  });
});
