import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { LogfedError } from '../errors/index.js';
import { compilePipeline, type Pipeline } from './pipeline.js';
import { loadRules } from './rules/index.js';
import { registry } from '../observe/metrics.js';
import { pseudonymiser } from './stages/mask.js';
import type { Row } from './stages/dimension.js';

const SECRET = 'pipeline-test-secret-01';
const NOW = Date.parse('2026-11-21T02:20:00Z');
const RULES = `
- { id: app-log, kind: dataType, version: 1, online: true, identify: { all: [" --- ["] } }
- { id: gw-json, kind: dataType, version: 1, online: true, format: json, identify: { fields: { src: gw } } }
- { id: app-owned, kind: dataType, version: 1, online: true, fields: [logger, team, minute, client_country] }
- id: app-parse
  kind: parse
  version: 1
  online: true
  dataType: app-log
  parser: { type: logback }
  time: { timeZone: "+08:00" }
  defaults: { domain: shop, env: prod, app: order, file: app.log }
  multiline: { maxLines: 50 }
- { id: gw-parse, kind: parse, version: 1, online: true, dataType: gw-json, parser: { type: json }, map: { ts: t, message: req } }
- { id: pii, kind: mask, version: 1, online: true, fields: [password] }
- { id: owners, kind: dimension, version: 1, online: true, sql: "SELECT logger, team FROM owners" }
- id: add-owner
  kind: process
  version: 1
  online: true
  from: app-log
  to: app-owned
  steps:
    - op: enrich
      dimension: owners
      match: [{ kind: equals, column: logger, field: logger }]
      set: { team: team }
    - { op: alignTime, to: minute }
`;
const OWNERS: Row[] = [{ logger: 'c.e.shop.OrderController', team: 'orders' }];
const line = (level: string, logger: string, message: string, time = '10:15:02.123') =>
  `2026-11-21 ${time} ${level.padStart(5)} 4242 --- [http-nio-8080-exec-3] [7f3a9c2e1b4d5a60] ${logger}-88 : ${message}`;
const rec = (text: string | Buffer, extra: object = {}) => ({ value: Buffer.isBuffer(text) ? text : Buffer.from(text), topic: 'logs', partition: 0, ...extra });

let open: Pipeline[] = [];
async function make(rules = RULES, rows: () => Row[] = () => OWNERS, extra: object = {}) {
  const { rules: parsed, rejected } = loadRules(rules, 'yaml');
  expect(rejected).toEqual([]);
  const p = compilePipeline(parsed, { maskSecret: SECRET, loadDimension: () => async () => rows(), ...extra });
  open.push(p);
  await p.start();
  return p;
}
afterEach(() => {
  for (const p of open) p.close();
  open = [];
});

describe('compilePipeline', () => {
  it('parses, masks and enriches a logback line into A and B events', async () => {
    const p = await make();
    const out = p.process(rec(line('INFO', 'c.e.shop.OrderController', 'order 1001 paid by 13812345678')), NOW);
    const phone = pseudonymiser({ secret: SECRET })('phone', '13812345678');
    expect(out.deadLetters).toEqual([]);
    expect(out.events).toEqual([]);
    const flushed = p.flush(NOW).events;
    expect(flushed).toHaveLength(2);
    const [a, b] = flushed;
    expect(a).toEqual({
      ts: Date.parse('2026-11-21T02:15:02.123Z'), domain: 'shop', env: 'prod', app: 'order', file: 'app.log', level: 'INFO',
      traceId: '7f3a9c2e1b4d5a60', message: `order 1001 paid by ${phone}`,
      fields: { _type: 'app-log', pid: 4242, thread: 'http-nio-8080-exec-3', logger: 'c.e.shop.OrderController', line: 88 },
    });
    expect(b!.fields).toEqual({ _type: 'app-owned', logger: 'c.e.shop.OrderController', team: 'orders', minute: Date.parse('2026-11-21T02:15:00Z') });
    expect(b!.message).toBe(a!.message);
  });

  it('joins a stack trace per stream and releases it on the next event, on advance or on flush', async () => {
    const p = await make();
    const other = { partition: 1 };
    const first = [line('ERROR', 'a.B', 'boom'), 'java.lang.IllegalStateException: boom', '\tat a.B.run(B.java:1)'];
    for (const l of first) expect(p.process(rec(l), NOW).events).toEqual([]);
    // A line on another partition neither closes nor joins the pending trace.
    p.process(rec(line('INFO', 'a.C', 'elsewhere'), other), NOW);
    const next = p.process(rec(line('INFO', 'a.B', 'next', '10:15:03.000')), NOW);
    const trace = 'boom\njava.lang.IllegalStateException: boom\n\tat a.B.run(B.java:1)';
    expect(next.events.map((e) => [e.fields!._type, e.message])).toEqual([['app-log', trace], ['app-owned', trace]]);
    expect(p.stats().pending).toBe(2);
    expect(p.advance(NOW + 4999).events).toEqual([]);
    expect(p.advance(NOW + 5000).events.map((e) => e.message)).toEqual(['next', 'next', 'elsewhere', 'elsewhere']);
    expect(p.stats().pending).toBe(0);
    expect(p.stats().stages.multiline.detail.joinedEvents).toBe(1);
  });

  it('closes a pending event when a record of another type arrives on the same stream', async () => {
    const p = await make();
    p.process(rec(line('ERROR', 'a.B', 'boom')), NOW);
    p.process(rec('\tat a.B.run(B.java:1)'), NOW);
    const out = p.process(rec('{"src":"gw","t":1795227302,"req":"GET /"}'), NOW);
    expect(out.events.map((e) => [e.fields!._type, e.message])).toEqual([
      ['app-log', 'boom\n\tat a.B.run(B.java:1)'],
      ['app-owned', 'boom\n\tat a.B.run(B.java:1)'],
      ['gw-json', 'GET /'],
    ]);
  });

  it('turns hostile input into dead letters with reasons and never throws', async () => {
    const p = await make();
    const big = Buffer.from(`{"src":"gw","req":"${'x'.repeat(2 * 1024 * 1024)}"}`);
    const bigLogback = Buffer.from(line('INFO', 'a.B', 'y'.repeat(2 * 1024 * 1024)));
    const inputs: [Buffer, string | undefined][] = [
      [Buffer.from([0x00, 0x01, 0x02, 0xff, 0xfe]), 'binary data: NUL byte at offset 0'],
      [Buffer.from([0x32, 0x30, 0xc3, 0x28]), 'invalid UTF-8 at byte 2'],
      [Buffer.from('[1,2,3]'), 'unrecognised data type (tried app-log, gw-json); the body is not a JSON object: JSON is not an object (got an array)'],
      [Buffer.from('just some words'), 'unrecognised data type (tried app-log, gw-json); the body is not a JSON object: not valid JSON: unexpected "j" at position 0'],
      [Buffer.from('nonsense'), 'unrecognised data type (tried app-log, gw-json); the body is not a JSON object: not valid JSON: Unexpected token \'o\', "nonsense" is not valid JSON'],
      [Buffer.from('{"src":"db"}'), 'unrecognised data type (tried app-log, gw-json)'],
      [big, 'unrecognised data type (tried app-log, gw-json); the body is not a JSON object: not valid JSON: Unterminated string in JSON at position 1048576 (the record was cut at the size limit)'],
      [Buffer.from('2026-11-21 nonsense --- [x] : y'), 'logback: expected a timestamp yyyy-MM-dd HH:mm:ss.SSS at column 1'],
      [bigLogback, undefined],
    ];
    for (const [value, reason] of inputs) {
      const out = p.process(rec(value, { partition: 7 }), NOW);
      const flushed = p.flush(NOW);
      const dead = [...out.deadLetters, ...flushed.deadLetters];
      if (reason === undefined) {
        expect(dead).toEqual([]);
        expect(flushed.events[0]!.fields).toMatchObject({ _truncated: true });
        continue;
      }
      expect(dead.map((d) => d.reason)).toEqual([reason]);
      expect(dead[0]!.record.value.equals(value)).toBe(true);
    }
    const stats = p.stats();
    expect(stats.stages.decode.detail).toMatchObject({ binary: 1, invalidUtf8: 1, truncated: 2 });
    expect(stats.stages.identify.detail).toEqual({ unrecognised: 5 });
    expect(stats.rules['app-parse']).toMatchObject({ processed: 2, failed: 1, emitted: 1 });
  });

  it('dead-letters JSON that is not an object when the data type expects JSON', async () => {
    const p = await make(RULES.replace('identify: { fields: { src: gw } }', 'identify: { topics: [gw] }'));
    const out = p.process(rec('[{"src":"gw"}]', { topic: 'gw' }), NOW);
    expect(out.deadLetters.map((d) => d.reason)).toEqual(['JSON is not an object (got an array)']);
    expect(p.stats().stages.parse.detail).toEqual({ jsonNotObject: 1 });
  });

  it('dead-letters the record a rule throws on, counts it, and goes on', async () => {
    let explode = false;
    const rows = () => (explode ? [{ get logger(): string { throw new Error('bad row'); }, team: 'x' } as Row] : OWNERS);
    const p = await make(RULES, rows);
    explode = true;
    await p.refreshDimensions();
    const out = p.process(rec(line('INFO', 'c.e.shop.OrderController', 'x')), NOW);
    const flushed = p.flush(NOW);
    expect([...out.deadLetters, ...flushed.deadLetters].map((d) => d.reason)).toEqual(['process rule add-owner failed: bad row']);
    expect(flushed.events.map((e) => e.fields!._type)).toEqual(['app-log']);
    expect(p.stats().rules['add-owner']).toMatchObject({ failed: 1, emitted: 0 });
    const later = p.process(rec('{"src":"gw","t":1795227302,"req":"GET /"}'), NOW);
    expect(later.events).toHaveLength(1);
  });

  it('keeps the original bytes of every joined line in a multi-line dead letter', async () => {
    const rules = RULES.replace('parser: { type: logback }\n', 'parser: { type: regex, pattern: "^(?P<time>\\\\d{4}-\\\\d{2}-\\\\d{2} \\\\S+) (?P<msg>.*)$" }\n').replace('multiline: { maxLines: 50 }', 'multiline: { start: "^\\\\S" }');
    const p = await make(rules.replace('all: [" --- ["]', 'any: ["--- [", "boom"]'));
    p.process(rec('boom'), NOW);
    p.process(rec('  at x'), NOW);
    const dead = p.flush(NOW).deadLetters;
    expect(dead.map((d) => [d.reason, d.record.value.toString()])).toEqual([['regex: the pattern did not match', 'boom\n  at x']]);
  });

  it('masks B under its own rules when they differ from A', async () => {
    const rules = RULES.replace('{ id: pii, kind: mask, version: 1, online: true, fields: [password] }', '{ id: pii, kind: mask, version: 1, online: true, dataTypes: [app-owned], detect: [email] }');
    const p = await make(rules, () => [{ logger: 'a.B', team: 'ops@example.com' }]);
    p.process(rec(line('INFO', 'a.B', 'mail me at x@example.com')), NOW);
    const [a, b] = p.flush(NOW).events;
    expect(a!.message).toBe('mail me at x@example.com');
    expect(b!.message).toBe(`mail me at ${pseudonymiser({ secret: SECRET })('email', 'x@example.com')}`);
    expect(b!.fields!.team).toBe(pseudonymiser({ secret: SECRET })('email', 'ops@example.com'));
  });

  it('runs only online rules and counts records of a type with no online parse rule', async () => {
    const p = await make(RULES.replace('{ id: gw-parse, kind: parse, version: 1, online: true', '{ id: gw-parse, kind: parse, version: 1, online: false'));
    expect(p.rules.map((r) => r.id)).not.toContain('gw-parse');
    expect(p.process(rec('{"src":"gw","req":"x"}'), NOW)).toEqual({ events: [], sources: [], deadLetters: [] });
    expect(p.stats().stages.parse.detail).toEqual({ noParseRule: 1 });
  });

  it('refuses a rule set that does not hold together, naming every problem', () => {
    const { rules } = loadRules(RULES.replace('from: app-log', 'from: app-logs'), 'yaml');
    let error: LogfedError | undefined;
    try {
      compilePipeline(rules, {});
    } catch (err) {
      error = err as LogfedError;
    }
    expect(error?.code).toBe('BAD_CONFIG');
    expect(error?.message).toContain('rules[id=add-owner].from: unknown data type "app-logs"');
    expect(() => compilePipeline(loadRules(RULES, 'yaml').rules, { loadDimension: () => async () => [] })).toThrow(
      'deps.maskSecret: mask rules are online; expected a secret of at least 16 characters',
    );
    expect(() => compilePipeline([{ id: 'x', kind: 'mask', version: 1, online: true, detect: ['ssn'] }], { maskSecret: SECRET })).toThrow(
      'rules[0].detect[0]: expected one of phone|idCard|email|token|card, got "ssn"',
    );
  });

  it('publishes its counts to Prometheus until it is closed', async () => {
    const p = await make(RULES, () => OWNERS, { name: 'metrics-test' });
    p.process(rec('nothing we know'), NOW);
    const line = 'logfed_compute_stage_events_total{pipeline="metrics-test",stage="identify",outcome="unrecognised"} 1';
    expect(await registry.getSingleMetricAsString('logfed_compute_stage_events_total')).toContain(line);
    p.close();
    expect(await registry.getSingleMetricAsString('logfed_compute_stage_events_total')).not.toContain('pipeline="metrics-test"');
  });

  it('never throws, and accounts for every record, whatever the bytes', async () => {
    const p = await make();
    const fragments = fc.constantFrom(line('INFO', 'a.B', 'x'), '\tat a.B(B.java:1)', '{"src":"gw","t":"2026-11-21","req":"r"}', '{"src":"gw"', '[]', '', '\u0000', '\ud800', 'é');
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
      fc.array(fragments, { maxLength: 4 }).map((parts) => Buffer.from(parts.join(''))),
      fc.tuple(fragments, fc.uint8Array({ maxLength: 20 })).map(([s, a]) => Buffer.concat([Buffer.from(s), Buffer.from(a)])),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(bytes, fc.integer({ min: 0, max: 2 })), { maxLength: 20 }), (records) => {
        for (const [value, partition] of records) {
          const out = p.process({ value, partition, topic: 'fuzz' }, NOW);
          for (const d of out.deadLetters) expect(d.reason.length).toBeGreaterThan(0);
        }
        p.flush(NOW);
      }),
      { seed: 20261121, numRuns: 300 },
    );
    const { decode, identify } = p.stats().stages;
    expect(decode.received).toBe(decode.emitted + decode.failed);
    expect(identify.detail.internal).toBeUndefined();
    expect(decode.detail.internal).toBeUndefined();
  });
});
