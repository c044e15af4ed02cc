import { describe, expect, it } from 'vitest';
import { validateRule, type DataTypeRule } from '../rules/index.js';
import { decodeJsonObject } from './decode.js';
import { compileIdentifier, type RecordView } from './identify.js';
import { isRejected } from './types.js';

const type = (id: string, extra: object) => validateRule({ id, kind: 'dataType', version: 1, online: true, ...extra }) as DataTypeRule;
const view = (text: string, extra: Partial<RecordView> = {}): RecordView => ({ text, json: () => decodeJsonObject(text), ...extra });

describe('compileIdentifier', () => {
  const identify = compileIdentifier([
    type('derived', {}),
    type('logback', { identify: { all: [' --- [', ' : '] } }),
    type('nginx', { format: 'json', identify: { fields: { source: 'nginx', 'http.status': [200, 404] } } }),
    type('audit', { identify: { any: ['AUDIT', 'audit:'], none: ['heartbeat'] } }),
    type('by-header', { identify: { headers: { logtype: ['gw', 'edge'] } } }),
    type('vip', { priority: 10, identify: { all: ['VIP'], topics: ['orders'] } }),
  ]);

  it.each([
    ['2026-11-21 10:15:02.123  INFO 1 --- [main] [] a.B-1 : hi', {}, 'logback'],
    ['{"source":"nginx","http":{"status":404}}', {}, 'nginx'],
    ['AUDIT user=1 deleted order', {}, 'audit'],
    ['anything', { headers: { logtype: Buffer.from('edge') } }, 'by-header'],
    ['VIP AUDIT order --- [x] : y', { topic: 'orders' }, 'vip'],
    ['VIP AUDIT order', { topic: 'other' }, 'audit'],
  ] as const)('%s -> %s', (text, extra, expected) => {
    const out = identify(view(text, extra as Partial<RecordView>));
    expect(isRejected(out) ? out.rejected : out.id).toBe(expected);
  });

  it.each([
    ['audit: heartbeat', {}],
    ['{"source":"nginx","http":{"status":500}}', {}],
    ['[1,2,3]', {}],
    ['anything', { headers: { logtype: 'db' } }],
  ] as const)('rejects %s as unrecognised, naming the types tried', (text, extra) => {
    const out = identify(view(text, extra as Partial<RecordView>));
    expect(isRejected(out) && out.code).toBe('unrecognised');
    expect(isRejected(out) && out.rejected).toBe('unrecognised data type (tried vip, logback, nginx, audit, by-header)');
  });

  it('reads the JSON body only for types that look at fields', () => {
    let parsed = 0;
    const counting = (text: string): RecordView => ({ text, json: () => (parsed++, decodeJsonObject(text)) });
    identify(counting('2026-11-21 10:15:02.123  INFO 1 --- [main] [] a.B-1 : hi'));
    expect(parsed).toBe(0);
    identify(counting('AUDIT something'));
    expect(parsed).toBe(1);
  });
});
