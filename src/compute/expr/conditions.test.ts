import { describe, expect, it } from 'vitest';
import { compileCondition, conditionSchema, type Condition, type ConditionOp } from './conditions.js';

type Row = Record<string, unknown>;
const check = (op: ConditionOp, value: Condition['value'], field: unknown, timeZone?: string) =>
  compileCondition<Row>({ field: 'f', op, value }, (r) => r.f, { timeZone })({ f: field });

describe('condition operators', () => {
  it.each([
    ['=', 1, 1, true],
    ['=', 1, '1', true],
    ['=', -1, '-1', true],
    ['=', 1, 2, false],
    ['=', 'ERROR', 'ERROR', true],
    ['=', 'ERROR', 'error', false],
    ['!=', 1, 2, true],
    ['!=', 1, '1.0', false],
    ['!=', 'a', 'b', true],
    ['in', '10,11,12', '11', true],
    ['in', '10, 11, 12', 11, true],
    ['in', ['10', 11], 11, true],
    ['in', '10,11,12', '13', false],
    ['not_in', '10,11,12', '13', true],
    ['not_in', '10,11,12', '10', false],
    ['>=', 95, 95, true],
    ['>=', 95, '94.9', false],
    ['<=', 30, 30, true],
    ['<=', 30, 31, false],
    ['>', 15000, 15001, true],
    ['>', 15000, 15000, false],
    ['<', 0.85, 0.8, true],
    ['>=', 1, 'abc', false],
    ['starts_with', 'ORA-', 'ORA-00600 internal', true],
    ['starts_with', 'ORA-', 'TNS-12541', false],
    ['not_starts_with', 'ORA-', 'TNS-12541', true],
    ['not_starts_with', 'ORA-', 'ORA-1', false],
    ['ends_with', '.timeout', 'rpc.timeout', true],
    ['ends_with', '.timeout', 'rpc.refused', false],
    ['not_ends_with', '.timeout', 'rpc.refused', true],
    ['not_ends_with', '.timeout', 'x.timeout', false],
    ['time_in', '20:00:00-23:59:59,00:00:00-08:00:00', Date.parse('2024-03-01T23:00:00Z'), true],
    ['time_in', '20:00:00-23:59:59,00:00:00-08:00:00', Date.parse('2024-03-01T12:00:00Z'), false],
    ['time_outside', '09:00-12:00,13:00-18:00', Date.parse('2024-03-01T12:30:00Z'), true],
    ['time_outside', '09:00-12:00,13:00-18:00', Date.parse('2024-03-01T10:00:00Z'), false],
    ['time_outside', '09:00-12:00,13:00-18:00', Date.parse('2024-03-01T13:30:00Z'), false],
  ] as const)('%s %j on %j → %s', (op, value, field, want) => {
    expect(check(op, value as Condition['value'], field)).toBe(want);
  });

  it('reads time ranges in the configured zone', () => {
    const t = Date.parse('2024-03-01T01:00:00Z'); // 09:00 in Shanghai
    expect(check('time_in', '09:00-10:00', t)).toBe(false);
    expect(check('time_in', '09:00-10:00', t, 'Asia/Shanghai')).toBe(true);
  });

  it('fails every operator on a missing field, negations included', () => {
    const ops: Array<[ConditionOp, Condition['value']]> = [
      ['=', 'x'],
      ['!=', 'x'],
      ['!=', 1],
      ['not_in', 'a,b'],
      ['not_starts_with', 'a'],
      ['not_ends_with', 'a'],
      ['time_outside', '01:00-02:00'],
      ['>=', 0],
    ];
    for (const [op, value] of ops) {
      expect(check(op, value, undefined)).toBe(false);
      expect(check(op, value, null)).toBe(false);
    }
  });
});

describe('condition schema', () => {
  const issue = (c: unknown) => {
    const r = conditionSchema.safeParse(c);
    return r.success ? undefined : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  };

  it('accepts good conditions', () => {
    expect(issue({ field: 'values.count', op: '>=', value: 100 })).toBeUndefined();
    expect(issue({ field: 'label', op: 'time_in', value: '20:00-08:00' })).toBeUndefined();
  });

  it.each([
    [{ field: 'x', op: '>=', value: 'many' }, 'value: operator ">=" needs a number, got "many"'],
    [{ field: 'x', op: 'time_in', value: '8-25' }, 'value: time range "8-25" at column 1: end hour 25 is out of 0..23'],
    [{ field: 'x', op: 'time_in', value: 8 }, 'value: operator "time_in" needs ranges'],
    [{ field: 'x', op: 'in', value: ' , ' }, 'value: operator "in" needs at least one value'],
    [{ field: 'x', op: '=', value: ['a', 'b'] }, 'value: operator "=" needs one value, got a list (use "in")'],
    [{ field: 'x', op: 'like', value: 'a' }, "op: Invalid enum value."],
    [{ field: 'x', op: '=', value: 'a', extra: 1 }, "Unrecognized key(s) in object: 'extra'"],
  ])('rejects %j', (c, want) => {
    expect(issue(c)).toContain(want);
  });
});
