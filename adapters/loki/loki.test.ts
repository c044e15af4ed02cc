import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseKeywords } from '../../src/query/match.js';
import type { EventFilter, Target } from '../../src/query/types.js';
import { parseLogQL, startFakeLoki, type FakeLoki } from '../../test/fixtures/loki/server.js';
import { LokiLocationSchema } from './config.js';
import { createLokiAdapter, decodeLinePosition, encodeLinePosition, type LokiAdapter } from './index.js';
import { buildQuery, logqlString, quoteMeta } from './logql.js';
import { parseQueryRange, parseTailMessage } from './response.js';

const fixture = (name: string) => readFileSync(new URL(`../../test/fixtures/loki/${name}`, import.meta.url), 'utf8');
const TENANT = 'ops';
const T0 = Date.UTC(2026, 0, 2, 3, 0, 0);
const ns = (ms: number, extra = 0) => String(BigInt(ms) * 1_000_000n + BigInt(extra));

const loc = (extra: Record<string, unknown> = {}) => LokiLocationSchema.parse({ selector: '{job="shop"}', labels: { app: 'app', file: 'file', level: 'level', traceId: 'trace_id' }, ...extra });
const target = (location: Record<string, unknown>, t: Partial<Target> = {}): Target => ({
  id: 'l',
  domain: 'shop',
  env: 'prod',
  logstore: { id: 'l', domain: 'shop', env: 'prod', layout: 'env', backend: 'loki', location },
  ...t,
});
const filter = (kw = '', extra: Partial<EventFilter> = {}): EventFilter => ({ from: T0, to: T0 + 3_600_000, keywords: parseKeywords(kw), ...extra });
const req = (t: Target, f: EventFilter, order: 'asc' | 'desc', limit: number, after?: string, signal = new AbortController().signal) => ({ target: t, filter: f, order, limit, signal, ...(after ? { after } : {}) });

describe('loki responses in the documented formats', () => {
  it('reads query_range streams with nanosecond timestamps and per-stream hashes', () => {
    const entries = parseQueryRange(fixture('query_range.json'), 'loki');
    expect(entries.map((e) => [String(e.ns), e.line, e.labels.level])).toEqual([
      ['1569266497240578000', 'foo', 'info'],
      ['1569266492548155000', 'bar', 'info'],
      ['1569266497240578000', 'foo', 'error'],
      ['1569266492548155000', 'bar', 'error'],
    ]);
    // The same line at the same instant in two streams stays two lines.
    expect(entries[0]!.sh).not.toBe(entries[2]!.sh);
    expect(entries[0]!.lh).toBe(entries[2]!.lh);
  });
  it('reads tail messages and counts dropped lines', () => {
    const msg = parseTailMessage(fixture('tail.json'), 'loki');
    expect(msg.entries.map((e) => e.line)).toEqual(['foo', 'bar']);
    expect(msg.dropped).toBe(1);
  });
  it('refuses metric results and malformed values', () => {
    expect(() => parseQueryRange('{"status":"success","data":{"resultType":"matrix","result":[]}}', 'loki x')).toThrow(/location.selector must be a stream selector/);
    expect(() => parseQueryRange('{"status":"success","data":{"resultType":"streams","result":[{"stream":{},"values":[[1,"x"]]}]}}', 'loki x')).toThrow(/not \["<ns>", "<line>"\]/);
  });
  it('takes structured metadata (Loki 3 categorised labels) as labels', () => {
    const text = JSON.stringify({ status: 'success', data: { resultType: 'streams', result: [{ stream: { app: 'a' }, values: [['5', 'x', { structuredMetadata: { trace_id: 't1' } }]] }] } });
    expect(parseQueryRange(text, 'loki')[0]!.labels).toEqual({ app: 'a', trace_id: 't1' });
  });
});

describe('logql', () => {
  it('quotes any string so that Loki reads it back unchanged', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const parsed = parseLogQL(`{a="b"} |= ${logqlString(s)}`);
        expect(parsed.stages[0]).toEqual({ kind: 'line', op: '|=', value: s });
      }),
    );
  });
  it('adds matchers for apps, files and levels, line filters for keywords and the regex, and a label filter for the trace id', () => {
    const q = buildQuery(loc(), target({}, { apps: ['cart', 'a.b'], files: ['error'] }), filter('', { keywords: { include: ['say "hi"'], exclude: ['debug'] }, levels: ['warn'], regex: '^x\\d', traceId: 'abc' }));
    expect(q).toBe(
      '{job="shop", app=~"cart|a\\\\.b", file=~"error", level=~"(?i)WARN|WARNING"} |= "say \\"hi\\"" != "debug" |~ "^x\\\\d" | trace_id="abc"',
    );
    expect(parseLogQL(q).matchers).toEqual([
      { name: 'job', op: '=', value: 'shop' },
      { name: 'app', op: '=~', value: 'cart|a\\.b' },
      { name: 'file', op: '=~', value: 'error' },
      { name: 'level', op: '=~', value: '(?i)WARN|WARNING' },
    ]);
    expect(quoteMeta('a.b*c(d)|e[f]{g}^$\\')).toBe('a\\.b\\*c\\(d\\)\\|e\\[f\\]\\{g\\}\\^\\$\\\\');
  });
  it('leaves filters it has no label for to the in-process check', () => {
    expect(buildQuery(LokiLocationSchema.parse({ selector: '{job="shop",}' }), target({}, { apps: ['cart'] }), filter('', { levels: ['INFO'], traceId: 't' }))).toBe('{job="shop",}');
  });
  it('round-trips positions and refuses others', () => {
    const pos = encodeLinePosition({ ns: 1569266497240578000n, sh: 'a', lh: 'b' });
    expect(decodeLinePosition(pos)).toEqual([1569266497240578000n, 'a', 'b']);
    expect(() => decodeLinePosition('o1.xyz')).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
  });
});

describe('loki adapter against the fake server', () => {
  let loki: FakeLoki;
  let adapter: LokiAdapter;
  const location = { selector: '{job="shop"}', tail: true, labels: { app: 'app', file: 'file', level: 'level', traceId: 'trace_id' } };
  const line = (ms: number, text: string, labels: Record<string, string> = {}, extra = 0) => ({
    stream: { job: 'shop', app: 'cart', file: 'app', level: 'info', ...labels },
    values: [[ns(ms, extra), text]] as Array<[string, string]>,
  });

  beforeAll(async () => {
    loki = await startFakeLoki({ tenants: [TENANT, 'other'], maxEntries: 300, maxQueryMs: 600_000 });
    adapter = createLokiAdapter({ url: loki.url, tenant: TENANT, maxRangeHours: 0.1, maxEntries: 300 });
    // 250 lines in one instant (a burst), across two streams, around a few others.
    const streams = [line(T0 + 10, 'before'), line(T0 + 30, 'after')];
    for (let i = 0; i < 250; i++) streams.push(line(T0 + 20, `burst ${i}`, { app: i % 2 ? 'cart' : 'pay' }));
    loki.push(TENANT, { streams });
  });
  afterAll(async () => {
    await adapter.close?.();
    await loki.close();
  });

  it('sends the tenant, and maps a refused or missing tenant to BAD_CONFIG with the fix', async () => {
    const page = await adapter.search(req(target(location), filter(), 'asc', 1));
    expect(page.hits[0]!.event.message).toBe('before');
    expect(loki.calls[loki.calls.length - 1]!.tenant).toBe(TENANT);
    for (const cfg of [{}, { tenant: 'nobody' }]) {
      const other = createLokiAdapter({ url: loki.url, ...cfg });
      const err = await other.search(req(target(location), filter(), 'asc', 1)).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'BAD_CONFIG' });
      await other.close?.();
    }
    const missing = await createLokiAdapter({ url: loki.url }).search(req(target(location), filter(), 'asc', 1)).catch((e: Error) => e.message);
    expect(missing).toMatch(/no org id \(this Loki is multi-tenant: set the backend's tenant\)/);
  });

  it('pages through an instant holding more lines than one request returns, in both orders, without duplicates or gaps', async () => {
    for (const order of ['asc', 'desc'] as const) {
      const seen: string[] = [];
      let after: string | undefined;
      for (let i = 0; i < 100; i++) {
        const page = await adapter.search(req(target(location), filter(), order, 7, after));
        seen.push(...page.hits.map((h) => h.event.message));
        if (page.done) break;
        after = page.hits[page.hits.length - 1]!.pos;
      }
      expect(seen).toHaveLength(252);
      expect(new Set(seen).size).toBe(252);
      expect(seen[order === 'asc' ? 0 : 251]).toBe('before');
      expect(seen[order === 'asc' ? 251 : 0]).toBe('after');
    }
  });

  it('refuses to page an instant with more lines than the server returns at once', async () => {
    const small = createLokiAdapter({ url: loki.url, tenant: TENANT, maxRangeHours: 0.1, maxEntries: 100 });
    const err = await small.search(req(target(location), filter(), 'asc', 5)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BACKEND_ERROR' });
    expect((err as Error).message).toMatch(/100 or more lines share the instant/);
    await small.close?.();
  });

  it('walks a long range in chunks no longer than maxRangeHours, oldest or newest first', async () => {
    const f = filter('no-such-line');
    for (const order of ['asc', 'desc'] as const) {
      const before = loki.calls.length;
      await adapter.search(req(target(location), f, order, 10));
      const calls = loki.calls.slice(before);
      expect(calls).toHaveLength(10);
      for (const c of calls) expect(c.end - c.start).toBeLessThanOrEqual(360_000n * 1_000_000n);
      const starts = calls.map((c) => c.start);
      expect(starts).toEqual([...starts].sort((a, b) => (a < b ? -1 : 1) * (order === 'asc' ? 1 : -1)));
      expect(calls.every((c) => c.direction === (order === 'asc' ? 'forward' : 'backward'))).toBe(true);
      expect(calls[0]!.query).toContain('|= "no-such-line"');
    }
  });

  it('maps Loki errors through the status table with hints', async () => {
    const cases: Array<[number, string, string]> = [
      [429, 'too many outstanding requests', 'BACKEND_UNAVAILABLE'],
      [503, 'upstream connect error', 'BACKEND_UNAVAILABLE'],
      [504, 'timeout', 'TIMEOUT'],
      [400, 'parse error at line 1, col 7: syntax error', 'BAD_CONFIG'],
      [500, 'rpc error', 'BACKEND_ERROR'],
    ];
    for (const [status, body, code] of cases) {
      loki.failNext(status, body);
      const err = await adapter.search(req(target(location), filter(), 'desc', 3)).catch((e: unknown) => e);
      expect(err).toMatchObject({ code });
      expect((err as Error).message).toContain(body);
    }
  });

  it('tails a logstore from its start, then live, filtered like a search, until the signal aborts', async () => {
    const ac = new AbortController();
    const lines = adapter.tail(target(location, { apps: ['cart'] }), filter('live', { from: T0 + 25, levels: ['ERROR'] }), ac.signal)[Symbol.asyncIterator]();
    const show = (r: IteratorResult<{ app: string; level?: string; message: string }>) => (r.done ? 'done' : `${r.value.app} ${r.value.level} ${r.value.message}`);
    // Written before the tail opens: it comes from the tail's start.
    loki.push(TENANT, { streams: [line(T0 + 40, 'live one', { level: 'error' })] });
    expect(show(await lines.next())).toBe('cart ERROR live one');
    // Written while it is open: it comes live.
    loki.push(TENANT, {
      streams: [line(T0 + 41, 'live but info'), line(T0 + 42, 'live elsewhere', { app: 'pay', level: 'error' }), line(T0 + 43, 'quiet', { level: 'error' }), line(T0 + 44, 'live two', { level: 'ERROR' })],
    });
    expect(show(await lines.next())).toBe('cart ERROR live two');
    const pending = lines.next();
    ac.abort();
    expect(show(await pending)).toBe('done');
  });

  it('refuses to tail a logstore not marked for it, and reports a refused tail', async () => {
    expect(() => adapter.tail(target({ ...location, tail: false }), filter(), new AbortController().signal)).toThrow(/location.tail is not true/);
    const stranger = createLokiAdapter({ url: loki.url, tenant: 'nobody' });
    const err = await (async () => {
      for await (const _ of stranger.tail(target(location), filter(), new AbortController().signal)) void _;
    })().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BAD_CONFIG' });
    expect((err as Error).message).toMatch(/tail refused: 401 unknown tenant/);
  });

  it('rejects a search aborted while it runs', async () => {
    const ac = new AbortController();
    const running = adapter.search(req(target(location), filter('nothing'), 'asc', 5, undefined, ac.signal));
    ac.abort();
    await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
