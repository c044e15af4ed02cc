import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../../core/event.js';
import { validateRule, type DataTypeRule, type ProcessRule } from '../rules/index.js';
import { newStageCounts } from './counters.js';
import { compileProcessRule, compileWhere } from './process.js';

const target = (fields?: string[]) => validateRule({ id: 'b', kind: 'dataType', version: 1, online: true, ...(fields ? { fields } : {}) }) as DataTypeRule;
const rule = (extra: object) => validateRule({ id: 'p', kind: 'process', version: 1, online: true, from: 'a', to: 'b', ...extra }) as ProcessRule;
const event = (fields: Record<string, unknown>): LogEvent => ({ ts: 1000, domain: 'd', env: 'e', app: 'shop', file: 'f', level: 'ERROR', message: 'm', fields: { _type: 'a', ...fields } });
const compile = (extra: object, fields?: string[]) => compileProcessRule(rule(extra), { target: target(fields), tables: new Map(), counts: newStageCounts() });

describe('process rule', () => {
  it('copies the same-name fields B declares, adds what the steps write, and retypes the event', () => {
    const fn = compile({ steps: [{ op: 'receiveTime', to: 'rt' }] }, ['ip', 'user', 'rt']);
    const a = event({ ip: '1.2.3.4', user: 'u1', secretish: 'not in B' });
    const b = fn(a, 5000) as LogEvent;
    expect(b.fields).toEqual({ _type: 'b', ip: '1.2.3.4', user: 'u1', rt: 5000 });
    expect(b).toMatchObject({ ts: 1000, app: 'shop', level: 'ERROR', message: 'm' });
    expect(a.fields).toEqual({ _type: 'a', ip: '1.2.3.4', user: 'u1', secretish: 'not in B' });
  });

  it('copies every field when B declares none, and none when copySameName is off', () => {
    expect((compile({})(event({ x: 1 }), 0) as LogEvent).fields).toEqual({ _type: 'b', x: 1 });
    expect((compile({ copySameName: false, steps: [{ op: 'receiveTime' }] })(event({ x: 1 }), 7) as LogEvent).fields).toEqual({ _type: 'b', receivedAt: 7 });
  });

  it('lets steps read fields of A that B does not keep', () => {
    const fn = compile({ steps: [{ op: 'unifyTime', field: 'raw', to: 'time' }] }, ['time']);
    expect((fn(event({ raw: 1795248063 }), 0) as LogEvent).fields).toEqual({ _type: 'b', time: '2026-11-21 08:01:03' });
  });

  it('applies only to events its where-filter picks', () => {
    const fn = compile({ where: [{ field: 'level', op: 'equals', value: 'ERROR' }, { field: 'code', op: 'in', value: [500, 503] }] });
    expect(fn(event({ code: '503' }), 0)).not.toBe('filtered');
    expect(fn(event({ code: 404 }), 0)).toBe('filtered');
    expect(fn({ ...event({ code: 500 }), level: 'INFO' }, 0)).toBe('filtered');
  });
});

describe('where conditions', () => {
  const e = event({ path: '/api/orders/1', n: 0, empty: '', obj: { a: 1 } });
  it.each([
    ['equals', 'app', 'shop', true],
    ['equals', 'n', 0, true],
    ['equals', 'n', '0', true],
    ['notEquals', 'app', 'pay', true],
    ['in', 'app', ['pay', 'shop'], true],
    ['notIn', 'app', ['pay', 'shop'], false],
    ['contains', 'path', 'orders', true],
    ['startsWith', 'path', '/api', true],
    ['endsWith', 'path', '/2', false],
    ['contains', 'missing', 'x', false],
    ['exists', 'path', undefined, true],
    ['exists', 'empty', undefined, false],
    ['exists', 'obj', undefined, true],
    ['notExists', 'missing', undefined, true],
    ['equals', 'fields._type', 'a', true],
  ] as const)('%s %s %j is %s', (op, field, value, expected) => {
    expect(compileWhere({ op, field, value: value as never })(e)).toBe(expected);
  });
});
