import { describe, expect, it } from 'vitest';
import { LogfedError } from '../../errors/index.js';
import { describeMetricRule, parseTopNSpec, validateMetricRule } from './schema.js';

const good = { id: 'errors', period: '5m', groupBy: ['app'], where: [{ field: 'level', op: '=', value: 'ERROR' }], aggregations: [{ as: 'n', fn: 'count' }] };

function messageOf(rule: unknown): string {
  try {
    validateMetricRule(rule);
  } catch (e) {
    expect(e).toBeInstanceOf(LogfedError);
    expect((e as LogfedError).code).toBe('BAD_USER_INPUT');
    return (e as Error).message;
  }
  throw new Error('rule was accepted');
}

describe('metric rule validation', () => {
  it('accepts a good rule and fills defaults', () => {
    expect(validateMetricRule(good)).toMatchObject({ label: 'backward', timezone: 'UTC', maxSeries: 100_000 });
    expect(validateMetricRule({ ...good, period: 15 }).period).toBe('15m');
  });

  it('accepts its own output again', () => {
    const once = validateMetricRule(good);
    expect(validateMetricRule(once)).toEqual(once);
  });

  it.each([
    [{ ...good, period: '7m' }, 'metric.period: expected one of 1m, 2m, 3m, 4m, 5m, 10m, 15m, 30m, got "7m"'],
    [{ ...good, periodMinutes: 5 }, "metric: Unrecognized key(s) in object: 'periodMinutes'"],
    [{ ...good, aggregations: [] }, 'metric.aggregations: at least one aggregation is needed'],
    [{ ...good, aggregations: [{ as: 'x', fn: 'median', field: 'cost' }] }, 'metric.aggregations[0].fn: Invalid enum value.'],
    [{ ...good, aggregations: [{ as: 'x', fn: 'max' }] }, 'metric.aggregations[0].field: max needs a field'],
    [{ ...good, aggregations: [{ as: 'n', fn: 'count', field: 'x' }] }, 'metric.aggregations[0].field: count counts events and takes no field'],
    [{ ...good, aggregations: [{ as: 'n', fn: 'count' }, { as: 'n', fn: 'max', field: 'x' }] }, 'metric.aggregations[1]: aggregation name "n" appears more than once'],
    [{ ...good, groupBy: ['app', 'app'] }, 'metric.groupBy[1]: group-by field "app" appears more than once'],
    [{ ...good, aggregations: [{ as: 't', fn: 'topn', field: 'cost#svc' }] }, 'metric.aggregations[0].field: TopN spec "cost#svc" must be valueField#displayField#N; it has 2 part(s)'],
    [{ ...good, aggregations: [{ as: 't', fn: 'topn', field: 'cost#svc#ten' }] }, 'metric.aggregations[0].field: TopN spec "cost#svc#ten" must be valueField#displayField#N; N "ten" is not a whole number'],
    [{ ...good, aggregations: [{ as: 't', fn: 'topn', field: 'cost##10' }] }, 'the display field is empty'],
    [{ ...good, aggregations: [{ as: 't', fn: 'topn', field: 'cost#svc#0' }] }, 'N 0 is out of 1..1000'],
    [{ ...good, aggregations: [{ as: 't', fn: 'topn', field: 'cost#app#3' }] }, 'metric.aggregations[0].field: TopN adds key field "app", which is already a group-by field'],
    [{ ...good, aggregations: [{ as: 'r', fn: 'ratio', field: 'result' }, { as: 'n', fn: 'count' }] }, 'metric.aggregations[0].fn: ratio emits one row per enum value and must be the rule\'s only aggregation'],
    [{ ...good, where: [{ field: 'ts', op: 'time_in', value: '20:00:00-24:00:00' }] }, 'metric.where[0].value: time range "20:00:00-24:00:00" at column 1: end hour 24 is out of 0..23'],
    [{ ...good, where: [{ field: 'cost', op: '>=' }] }, 'metric.where[0].value: operator ">=" needs a value'],
    [{ ...good, where: [{ field: 'cpu', op: 'eq_max' }] }, 'metric.where[0].op: eq_max picks one event per group and works only with "value" aggregations'],
    [{ ...good, where: [{ field: 'cpu', op: 'eq_max', value: 3 }] }, 'metric.where[0].value: operator "eq_max" takes no value'],
    [{ ...good, timezone: 'Mars/Olympus' }, 'metric.timezone: unknown time zone "Mars/Olympus"'],
    [{ ...good, id: 'has space' }, 'metric.id: expected 1-128 letters, digits or _ . : -'],
    [{ ...good, label: 'sideways' }, "metric.label: Invalid enum value. Expected 'backward' | 'forward', received 'sideways'"],
  ])('rejects %j', (rule, want) => {
    expect(messageOf(rule)).toContain(want);
  });

  it('reports every problem at once', () => {
    const msg = messageOf({ ...good, period: '7m', groupBy: ['a', 'a'] });
    expect(msg).toContain('metric.period');
    expect(msg).toContain('metric.groupBy[1]');
  });
});

describe('TopN spec', () => {
  it('splits value field, display field and N', () => {
    expect(parseTopNSpec('cost#service_name#10')).toEqual({ valueField: 'cost', displayField: 'service_name', n: 10 });
    expect(parseTopNSpec('a#b#c#d')).toEqual({ error: 'TopN spec "a#b#c#d" must be valueField#displayField#N; it has 4 part(s)' });
  });
});

describe('describeMetricRule', () => {
  it('lists the keys and values a rule emits, with the fields ratio and TopN add', () => {
    expect(describeMetricRule(validateMetricRule(good))).toEqual({ period: '5m', keys: ['app'], values: ['n'] });
    const ratio = validateMetricRule({ ...good, aggregations: [{ as: 'rate', fn: 'ratio', field: 'result' }] });
    expect(describeMetricRule(ratio).keys).toEqual(['app', 'result']);
    const top = validateMetricRule({ ...good, aggregations: [{ as: 'cost', fn: 'topn', field: 'cost#svc#5' }] });
    expect(describeMetricRule(top).keys).toEqual(['app', 'svc', 'rank']);
  });
});
