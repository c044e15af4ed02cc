import { describe, expect, it } from 'vitest';
import { createFormat } from './formats.js';

const logback = createFormat('logback', undefined, 'UTC');
const at = (iso: string) => Date.parse(iso);

describe('logback layout', () => {
  // Golden table: line -> the record the adapter builds from it.
  const golden: Array<[string, Record<string, unknown> | undefined]> = [
    [
      '2026-11-21 10:15:02.123  INFO 4242 --- [http-nio-8080-exec-3] [7f3a9c2e1b4d5a60] c.e.shop.OrderController-88 : order 1001 created',
      { ts: at('2026-11-21T10:15:02.123Z'), level: 'INFO', traceId: '7f3a9c2e1b4d5a60', message: 'order 1001 created', fields: { thread: 'http-nio-8080-exec-3', logger: 'c.e.shop.OrderController', pid: '4242', line: '88' } },
    ],
    [
      '2026-11-21 10:15:02.123 ERROR 4242 --- [main] [] c.e.Boot-12 : failed: a : b [x]',
      { ts: at('2026-11-21T10:15:02.123Z'), level: 'ERROR', message: 'failed: a : b [x]', fields: { thread: 'main', logger: 'c.e.Boot', pid: '4242', line: '12' } },
    ],
    [
      // ${PID:- } leaves a space where the pid was; an empty message is still an event.
      '2026-11-21 10:15:02.000  WARN   --- [pool-1 thread] [abc] c.e.X-? :',
      { ts: at('2026-11-21T10:15:02.000Z'), level: 'WARN', traceId: 'abc', message: '', fields: { thread: 'pool-1 thread', logger: 'c.e.X', line: '?' } },
    ],
    [
      '2026-11-21 10:15:02.500 warning 1 --- [t] [] l : spaced   message  ',
      { ts: at('2026-11-21T10:15:02.500Z'), level: 'WARN', message: 'spaced   message  ', fields: { thread: 't', logger: 'l', pid: '1' } },
    ],
    // A timestamped line in another layout keeps its text.
    ['2026-11-21 10:15:02.123 INFO something else entirely', { ts: at('2026-11-21T10:15:02.123Z'), level: 'INFO', message: 'something else entirely' }],
    ['not a log line', undefined],
  ];
  for (const [line, want] of golden) {
    it(`parses ${JSON.stringify(line.slice(0, 60))}`, () => {
      const rec = logback.parse(line);
      if (!want) expect(rec).toBeUndefined();
      else expect(rec).toMatchObject(want);
    });
  }

  it('joins continuation lines (a stack trace) to the first line, CRLF or not', () => {
    const text = '2026-11-21 10:15:02.123 ERROR 1 --- [main] [t1] c.e.X-1 : boom\r\njava.lang.IllegalStateException: x\r\n\tat c.e.X.run(X.java:1)';
    expect(logback.parse(text)?.message).toBe('boom\njava.lang.IllegalStateException: x\n\tat c.e.X.run(X.java:1)');
  });

  it('tells event starts from continuation lines on raw bytes', () => {
    const b = Buffer.from('2026-11-21 10:15:02.123 x\n\tat y\n2 retries left\n2026-13-01 00:00:00.000 z\n');
    expect(logback.isStart(b, 0, b.length)).toBe(true);
    expect(logback.isStart(b, 26, b.length)).toBe(false);
    expect(logback.isStart(b, 32, b.length)).toBe(false);
    expect(logback.headTs(b, 0, b.length)).toBe(at('2026-11-21T10:15:02.123Z'));
    // The shape is right but month 13 is not a time.
    expect(logback.headTs(b, 47, b.length)).toBeUndefined();
    // A timestamp cut by the end of the bytes is not a start.
    expect(logback.isStart(b, 0, 10)).toBe(false);
  });

  it('reads the time in the logstore timezone', () => {
    const shanghai = createFormat('logback', undefined, 'Asia/Shanghai');
    const line = '2026-11-21 18:15:02.123  INFO 1 --- [m] [] l : x';
    expect(shanghai.parse(line)?.ts).toBe(at('2026-11-21T10:15:02.123Z'));
    expect(createFormat('logback', undefined, '-05:00').parse(line)?.ts).toBe(at('2026-11-21T23:15:02.123Z'));
  });
});

describe('JSON lines', () => {
  const json = createFormat('json', undefined, 'UTC');

  it.each([
    ['{"ts":"2026-11-21T10:15:02.123Z","level":"info","message":"m","traceId":"t","host":"h1","user":7}', { ts: at('2026-11-21T10:15:02.123Z'), level: 'INFO', message: 'm', traceId: 't', host: 'h1', fields: { user: 7 } }],
    ['{"@timestamp":"2026-11-21T18:15:02.123+08:00","msg":"m2","trace_id":"x"}', { ts: at('2026-11-21T10:15:02.123Z'), message: 'm2', traceId: 'x' }],
    ['{"timestamp":1795255200,"message":"seconds"}', { ts: 1795255200000, message: 'seconds' }],
    ['{"time":1795255200123,"message":"millis","nested":{"a":1}}', { ts: 1795255200123, message: 'millis', fields: { nested: { a: 1 } } }],
  ])('parses %s', (line, want) => {
    expect(json.parse(line)).toMatchObject(want);
  });

  it('refuses lines without a time or that are not objects', () => {
    expect(json.parse('{"message":"no time"}')).toBeUndefined();
    expect(json.parse('[1,2]')).toBeUndefined();
    expect(json.parse('{broken')).toBeUndefined();
  });

  it('appends non-JSON lines that follow to the message', () => {
    expect(json.parse('{"ts":"2026-11-21T10:15:02Z","message":"boom"}\n\tat X.y(X.java:1)')?.message).toBe('boom\n\tat X.y(X.java:1)');
  });

  it('does not trust raw bytes for terms JSON may escape', () => {
    expect(json.rawSafe('order 1001')).toBe(true);
    for (const t of ['"alice"', 'C:\\data', 'a/b', '订单']) expect(json.rawSafe(t)).toBe(false);
  });
});

describe('regex format', () => {
  const fmt = createFormat({ regex: '^\\[(?<ts>[^\\]]+)\\] (?<level>\\w+) (?<host>\\S+) (?<component>\\S+) - (?<message>.*)$' }, 'dd/MM/yyyy HH:mm:ss', 'UTC');

  it('reads named groups, the rest into fields', () => {
    expect(fmt.parse('[21/11/2026 10:15:02] ERROR web-1 billing - charge failed\n  cause: timeout')).toEqual({
      ts: at('2026-11-21T10:15:02.000Z'),
      level: 'ERROR',
      host: 'web-1',
      message: 'charge failed\n  cause: timeout',
      fields: { component: 'billing' },
    });
  });

  it('needs a ts group', () => {
    expect(() => createFormat({ regex: '^(?<message>.*)$' }, undefined, 'UTC')).toThrow(/named group "ts"/);
  });
});
