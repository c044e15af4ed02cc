import { describe, expect, it } from 'vitest';
import { validateAlertRule } from './schema.js';

const good = { id: 'too_many_errors', metric: 'app_errors', when: [{ field: 'values.count', op: '>=', value: 100 }], message: '{{key.app}} error count {{values.count}}' };

const messageOf = (rule: unknown, source?: { keys: string[]; values: string[] }) => {
  try {
    validateAlertRule(rule, source);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('rule was accepted');
};

describe('alert rule validation', () => {
  it('accepts a good rule and turns durations into milliseconds', () => {
    expect(validateAlertRule({ ...good, for: '5m', keepFiringFor: '90s' })).toMatchObject({ for: 300_000, keepFiringFor: 90_000, repeatInterval: 3_600_000, timezone: 'UTC', absent: 'resolve' });
  });

  it.each([
    ['alert.when[0].value: time range "20:00-25:00" at column 1: end hour 25 is out of 0..23', { ...good, when: [{ field: 'label', op: 'time_in', value: '20:00-25:00' }] }],
    ['alert.when[0].value: operator ">=" needs a number', { ...good, when: [{ field: 'values.count', op: '>=', value: 'lots' }] }],
    ['alert.when[0].value: value is required', { ...good, when: [{ field: 'values.count', op: '>=' }] }],
    ['alert.when[0]: a condition is one of {field, op, value}, {baseline: ...} or {change: ...}', { ...good, when: [{ field: 'x', op: '=', value: 1, baseline: { field: 'x' } }] }],
    ['alert.when[0].baseline.k: Number must be greater than 0', { ...good, when: [{ baseline: { field: 'x', k: 0 } }] }],
    ['alert.when[0].baseline: Unrecognized key(s) in object: \'sigma\'', { ...good, when: [{ baseline: { field: 'x', sigma: 3 } }] }],
    ['alert.when[0].change.against: expected a duration such as', { ...good, when: [{ change: { field: 'x', against: 'last_year', direction: 'up', ratio: 2 } }] }],
    ['alert.when: at least one condition is needed', { ...good, when: [] }],
    ['alert.for: expected a duration such as "30s", "5m", "1h30m", "7d", got "five minutes"', { ...good, for: 'five minutes' }],
    ['alert.message: "{{" at column 5 is never closed', { ...good, message: 'app {{key.app' }],
    ['alert.message: "{{constructor}}" at column 1 is not a field', { ...good, message: '{{constructor}}' }],
    ['alert.message: "{{ruleId.x}}" at column 1 is not a field', { ...good, message: '{{ruleId.x}}' }],
    ['alert.timezone: unknown time zone "Moon/Base"', { ...good, timezone: 'Moon/Base' }],
    ["alert: Unrecognized key(s) in object: 'severity'", { ...good, severity: 'high' }],
  ] as Array<[string, unknown]>)('rejects with %s', (want, rule) => {
    expect(messageOf(rule)).toContain(want);
  });

  it('checks field references against the metric when its fields are known', () => {
    const source = { keys: ['app'], values: ['count'] };
    expect(() => validateAlertRule(good, source)).not.toThrow();
    expect(messageOf({ ...good, when: [{ field: 'values.cnt', op: '>=', value: 1 }] }, source)).toBe(
      'alert.when[0].field: metric "app_errors" has no field "values.cnt" (it has key.app, values.count)',
    );
    expect(messageOf({ ...good, message: '{{key.host}} down' }, source)).toBe('alert.message: "{{key.host}}" names a field metric "app_errors" does not have');
    expect(messageOf({ ...good, when: [{ baseline: { field: 'values.latency' } }] }, source)).toContain('alert.when[0].baseline.field: metric "app_errors" has no field "values.latency"');
  });
});
