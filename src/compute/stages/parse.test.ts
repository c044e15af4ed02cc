import { describe, expect, it } from 'vitest';
import { validateRule, type ParseRule } from '../rules/index.js';
import { compileParser, type ParseContext } from './parse.js';
import { isRejected } from './types.js';

const NOW = Date.parse('2026-11-21T12:00:00Z');
const rule = (extra: object) => validateRule({ id: 'p', kind: 'parse', version: 1, online: true, dataType: 't', ...extra }) as ParseRule;
const run = (r: ParseRule, text: string, ctx: Partial<ParseContext> = {}) => {
  const out = compileParser(r)(text, { now: NOW, ...ctx });
  return isRejected(out) ? `rejected: ${out.rejected}` : out;
};
/** A golden row expects either the rejection text or the parts of the event it names. */
const expectParsed = (out: unknown, expected: object | string) => {
  if (typeof expected === 'string') expect(out).toBe(expected);
  else expect(out).toMatchObject(expected);
};

describe('logback parser', () => {
  const logback = rule({ parser: { type: 'logback' }, time: { timeZone: '+08:00' }, defaults: { domain: 'shop', env: 'prod', app: 'order', file: 'app.log' } });
  const golden: [string, object | string][] = [
    [
      '2026-11-21 10:15:02.123  INFO 4242 --- [http-nio-8080-exec-3] [7f3a9c2e1b4d5a60] c.e.shop.OrderController-88 : order 1001 created',
      {
        ts: Date.parse('2026-11-21T02:15:02.123Z'), level: 'INFO', traceId: '7f3a9c2e1b4d5a60', message: 'order 1001 created',
        domain: 'shop', env: 'prod', app: 'order', file: 'app.log',
        fields: { _type: 't', pid: 4242, thread: 'http-nio-8080-exec-3', logger: 'c.e.shop.OrderController', line: 88 },
      },
    ],
    [
      '2026-11-21 10:15:03.000 ERROR 7 --- [pool-1-thread-2] [] com.acme.pay.Gateway-? : timeout : retrying\n\tat com.acme.pay.Gateway.call(Gateway.java:42)',
      {
        ts: Date.parse('2026-11-21T02:15:03.000Z'), level: 'ERROR', message: 'timeout : retrying\n\tat com.acme.pay.Gateway.call(Gateway.java:42)',
        fields: { _type: 't', pid: 7, thread: 'pool-1-thread-2', logger: 'com.acme.pay.Gateway' },
      },
    ],
    [
      '2026-11-21 10:15:04.500  WARN 1 --- [main] [abc] my-app-logger : dash in the logger name',
      { level: 'WARN', traceId: 'abc', message: 'dash in the logger name', fields: { _type: 't', pid: 1, thread: 'main', logger: 'my-app-logger' } },
    ],
    ['2026-11-21 10:15:02 INFO 1 --- [main] [] a.B-1 : no millis', 'rejected: logback: expected a timestamp yyyy-MM-dd HH:mm:ss.SSS at column 1'],
    ['2026-02-30 10:15:02.123  INFO 1 --- [main] [] a.B-1 : no such day', 'rejected: logback: expected a timestamp yyyy-MM-dd HH:mm:ss.SSS at column 1'],
    ['2026-11-21 10:15:02.123  INFO 1 [main] [] a.B-1 : no dashes', 'rejected: logback: expected "--- [" after the pid at column 33'],
    ['2026-11-21 10:15:02.123  INFO 1 --- [main] a.B-1 : no trace id', 'rejected: logback: expected "] [" after the thread name at column 38'],
    ['2026-11-21 10:15:02.123  INFO 1 --- [main] [] a.B-1 no separator', 'rejected: logback: expected " : " after the logger at column 47'],
    ['\tat com.acme.Orphan(Orphan.java:1)', 'rejected: logback: expected a timestamp yyyy-MM-dd HH:mm:ss.SSS at column 1'],
  ];
  it.each(golden)('%s', (line, expected) => {
    expectParsed(run(logback, line), expected);
  });

  it('leaves out a trace id that is empty', () => {
    expect(run(logback, '2026-11-21 10:15:02.123  INFO 1 --- [main] [] a.B-1 : x')).not.toHaveProperty('traceId');
  });
});

describe('regex parser', () => {
  const nginx = rule({
    parser: { type: 'regex', pattern: '^(?P<ip>\\S+) - (?P<user>\\S+) \\[(?P<time>[^\\]]+)\\] "(?P<method>\\w+) (?P<path>\\S+) [^"]*" (?P<status>\\d{3}) (?P<bytes>\\d+)' },
    map: { host: 'ip', message: 'path' },
  });
  const golden: [string, object | string][] = [
    [
      '203.0.113.7 - alice [21/Nov/2026:10:15:02 +0800] "GET /api/orders?id=1 HTTP/1.1" 200 512',
      { ts: Date.parse('2026-11-21T02:15:02Z'), host: '203.0.113.7', message: '/api/orders?id=1', fields: { _type: 't', user: 'alice', method: 'GET', status: '200', bytes: '512' } },
    ],
    ['not an access log line', 'rejected: regex: the pattern did not match'],
    ['203.0.113.7 - - [yesterday] "GET / HTTP/1.1" 200 1', 'rejected: field time: cannot read "yesterday" as a time'],
  ];
  it.each(golden)('%s', (line, expected) => {
    expectParsed(run(nginx, line), expected);
  });

  it('uses common names for unmapped slots and appends continuation lines to the message', () => {
    const simple = rule({ parser: { type: 'regex', pattern: '^(?P<time>\\S+ \\S+) \\[(?P<level>\\w+)\\] (?P<msg>.*)$' } });
    expect(run(simple, '2026-11-21 10:15:02 [warning] disk 91% full\n  on /data')).toMatchObject({
      ts: Date.parse('2026-11-21T10:15:02Z'), level: 'WARN', message: 'disk 91% full\n  on /data', fields: { _type: 't' },
    });
  });
});

describe('delimiter parser', () => {
  const spec = (extra: object) => rule({ parser: { type: 'delimiter', delimiter: '|', fields: ['time', 'level', 'app', '-', 'message'], ...extra } });
  const golden: [string, object, string, object | string][] = [
    ['plain', {}, '2026-11-21 10:15:02|ERROR|pay|x|card declined', { level: 'ERROR', app: 'pay', message: 'card declined', fields: { _type: 't' } }],
    ['rest goes to the last name', {}, '2026-11-21 10:15:02|INFO|pay|x|a|b|c', { message: 'a|b|c' }],
    ['extra dropped', { onExtra: 'drop' }, '2026-11-21 10:15:02|INFO|pay|x|a|b', { message: 'a' }],
    ['extra refused', { onExtra: 'reject' }, '2026-11-21 10:15:02|INFO|pay|x|a|b', 'rejected: delimiter: more than 5 columns'],
    ['missing refused', {}, '2026-11-21 10:15:02|INFO', 'rejected: delimiter: 2 columns, expected 5'],
    ['missing omitted', { onMissing: 'omit' }, '2026-11-21 10:15:02|INFO', { level: 'INFO', app: '', message: '2026-11-21 10:15:02|INFO' }],
    ['quoted delimiter', { quote: '"' }, '2026-11-21 10:15:02|INFO|"p|a|y"|x|"say ""hi"""', { app: 'p|a|y', message: 'say "hi"' }],
    ['unclosed quote', { quote: '"' }, '2026-11-21 10:15:02|INFO|"pay|x|m', 'rejected: delimiter: unclosed quote opened at column 26'],
    ['text after quote', { quote: '"' }, '2026-11-21 10:15:02|INFO|"pay"x|x|m', 'rejected: delimiter: text after a closing quote at column 31'],
    ['trimmed', { trim: true }, ' 2026-11-21 10:15:02 | INFO | pay |x| done ', { level: 'INFO', app: 'pay', message: 'done' }],
  ];
  it.each(golden)('%s', (_name, extra, line, expected) => {
    expectParsed(run(spec(extra), line), expected);
  });

  it('takes a multi-character delimiter', () => {
    const r = rule({ parser: { type: 'delimiter', delimiter: '||', fields: ['a', 'b'] } });
    expect(run(r, 'x||y|z')).toMatchObject({ fields: { a: 'x', b: 'y|z' } });
  });
});

describe('json parser', () => {
  const json = rule({ parser: { type: 'json' }, map: { ts: 'time_local', message: 'request', app: 'service.name' }, time: { timeZone: '+08:00' } });
  const golden: [string, object | string][] = [
    [
      '{"time_local":"2026-11-21 10:15:02","level":"err","request":"GET /","status":200,"service":{"name":"gw"},"trace_id":"t1","host":"h1"}',
      { ts: Date.parse('2026-11-21T02:15:02Z'), level: 'ERROR', message: 'GET /', app: 'gw', traceId: 't1', host: 'h1', fields: { _type: 't', status: 200, service: { name: 'gw' } } },
    ],
    ['{"time_local":1795227302,"request":"x"}', { ts: Date.parse('2026-11-21T02:15:02Z'), message: 'x' }],
    ['{"request":"no time"}', 'rejected: field time_local: no timestamp'],
    ['[1,2]', 'rejected: JSON is not an object (got an array)'],
    ['{"request":', 'rejected: not valid JSON: Unexpected end of JSON input'],
  ];
  it.each(golden)('%s', (line, expected) => {
    expectParsed(run(json, line), expected);
  });

  it('says when a broken body was cut at the size limit', () => {
    expect(run(json, '{"request":"abc', { truncated: true })).toMatch(/\(the record was cut at the size limit\)$/);
  });

  it('takes the receive time and the whole text when nothing maps', () => {
    const bare = rule({ parser: { type: 'json' } });
    expect(run(bare, '{"a":1}')).toMatchObject({ ts: NOW, message: '{"a":1}', fields: { _type: 't', a: 1 } });
  });
});

describe('event source slots', () => {
  it('prefers mapped fields, then record headers, then rule defaults', () => {
    const r = rule({ parser: { type: 'json' }, map: { app: 'svc' }, defaults: { domain: 'd0', env: 'e0', app: 'a0', file: 'f0' } });
    const out = run(r, '{"svc":"from-field"}', { headers: { env: Buffer.from('from-header'), app: 'header-app', host: 'h9' } });
    expect(out).toMatchObject({ domain: 'd0', env: 'from-header', app: 'from-field', file: 'f0', host: 'h9' });
  });

  it('flags a truncated record', () => {
    const r = rule({ parser: { type: 'logback' } });
    expect(run(r, '2026-11-21 10:15:02.123  INFO 1 --- [m] [] a.B-1 : x', { truncated: true })).toMatchObject({ fields: { _truncated: true } });
  });
});
