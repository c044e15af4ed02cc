import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseKeywords } from '../../src/query/match.js';
import type { EventFilter, Target } from '../../src/query/types.js';
import { parseSlsQuery, startFakeSls, type FakeSls } from '../../test/fixtures/sls/server.js';
import { DEFAULT_FIELDS, SlsConfigSchema, endpointOf } from './config.js';
import { slsError } from './errors.js';
import { createSlsAdapter, decodeLogPosition, encodeLogPosition } from './index.js';
import { toEvent } from './logs.js';
import { buildQuery } from './query.js';
import { keyed } from './walk.js';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../test/fixtures/sls/${name}`, import.meta.url), 'utf8'));
const index = SlsConfigSchema.parse({ endpoint: 'e', project: 'abc', accessKeyId: 'i', accessKeySecret: 's' }).index;
const store = (location: Record<string, unknown> = { logstore: 'app-log' }) => ({ id: 'sl', domain: 'shop', env: 'prod', layout: 'env' as const, backend: 'sls', location });
const target = (t: Partial<Target> = {}): Target => ({ id: 'sl', domain: 'shop', env: 'prod', logstore: store(), ...t });
const T0 = Date.UTC(2026, 2, 3, 4, 5, 6);
const filter = (kw = '', extra: Partial<EventFilter> = {}): EventFilter => ({ from: T0, to: T0 + 60_000, keywords: parseKeywords(kw), ...extra });

describe('sls query', () => {
  it('sends whole tokens of include keywords and field queries, never exclusions', () => {
    const q = buildQuery(target({ apps: ['cart', 'pay'], files: ['error'] }), filter('"order 1001 created" "x hit_ratio=0" -noise and', { levels: ['warn'], traceId: 'abc123' }), DEFAULT_FIELDS, index);
    expect(q).toBe('"1001" and "hit_ratio" and (app: "cart" or app: "pay") and file: "error" and (level: "WARN" or level: "WARNING") and traceId: "abc123"');
    // The fake SLS reads it back as intended.
    expect(() => parseSlsQuery(q)).not.toThrow();
  });
  it('leaves to the in-process check what SLS could not match as one token', () => {
    expect(buildQuery(target({ apps: ['cart service'] }), filter('"a 订单 b" "x * y" "p not q"', { traceId: 'a/b' }), DEFAULT_FIELDS, index)).toBe('');
    expect(buildQuery(target(), filter('"a b c"', { levels: ['INFO'] }), DEFAULT_FIELDS, { ...index, fullText: false, fields: false })).toBe('');
  });
});

describe('sls records', () => {
  it('reads the documented GetLogs answer', () => {
    const [first] = fixture('getlogs.json').body;
    const e = toEvent(first, target(), { ...DEFAULT_FIELDS, message: 'Key2', level: 'Key1' });
    expect(e).toEqual({ ts: 1409529660_000, domain: 'shop', env: 'prod', app: '', file: '', host: '10.10.10.10', level: 'ERROR', message: 'Value2' });
  });
  it('orders a second by ms from __time_ns_part__, numbering identical records', () => {
    const log = (ms: number, content: string) => ({ __time__: 100, __time_ns_part__: ms * 1_000_000 + 7, content });
    const rows = keyed([log(500, 'b'), log(20, 'a'), log(500, 'b'), log(3, 'z')]);
    expect(rows.map((r) => [r.key[0], r.log.content, r.key[2]])).toEqual([
      [100_003, 'z', 0],
      [100_020, 'a', 0],
      [100_500, 'b', 0],
      [100_500, 'b', 1],
    ]);
  });
  it('round-trips positions and refuses others', () => {
    expect(decodeLogPosition(encodeLogPosition([5, 'ab', 1]))).toEqual([5, 'ab', 1]);
    expect(() => decodeLogPosition('l1.abc')).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
  });
});

describe('sls config and errors', () => {
  it('connects to <project>.<endpoint>, or to an IP endpoint with that Host', () => {
    expect(endpointOf({ endpoint: 'cn-hangzhou.log.aliyuncs.com', project: 'shop' })).toEqual({ url: 'https://shop.cn-hangzhou.log.aliyuncs.com', host: 'shop.cn-hangzhou.log.aliyuncs.com' });
    expect(endpointOf({ endpoint: 'http://10.1.2.3:8080', project: 'shop' })).toEqual({ url: 'http://10.1.2.3:8080', host: 'shop.10.1.2.3' });
  });
  it('names the field, what was expected and what came', () => {
    const base = { endpoint: 'cn-hangzhou.log.aliyuncs.com', project: 'shop', accessKeyId: 'i', accessKeySecret: 's' };
    expect(() => createSlsAdapter({ ...base, project: 'Shop_1' })).toThrow(/sls adapter config: config\.project: expected an SLS project name .*\(got "Shop_1"\)/);
    expect(() => createSlsAdapter({ ...base, maxRetries: -1 })).toThrow(/config\.maxRetries/);
    expect(() => createSlsAdapter({ ...base, accessKeySecret: undefined } as never)).toThrow(/config\.accessKeySecret: Required/);
    expect(() => createSlsAdapter({ ...base, region: 'x' } as never)).toThrow(/config: Unrecognized key.*region/);
  });
  it('maps SLS error codes before statuses', () => {
    const e = fixture('error.json');
    expect(slsError('sls p logstore a', e.status, JSON.stringify(e.body))).toMatchObject({ code: 'BAD_CONFIG', details: { errorCode: 'SignatureNotMatch', status: 401 } });
    expect(slsError('s', 404, '{"errorCode":"LogStoreNotExist","errorMessage":"x"}').code).toBe('NOT_FOUND');
    expect(slsError('s', 404, '{"errorCode":"ProjectNotExist","errorMessage":"x"}').code).toBe('BAD_CONFIG');
    expect(slsError('s', 403, '{"errorCode":"ReadQuotaExceed","errorMessage":"x"}')).toMatchObject({ code: 'BACKEND_UNAVAILABLE', retriable: true });
    expect(slsError('s', 502, 'bad gateway')).toMatchObject({ code: 'BACKEND_UNAVAILABLE', message: 's: bad gateway' });
  });
});

describe('sls adapter against the fake server', () => {
  const creds = { project: 'shop-logs', accessKeyId: 'AKID', accessKeySecret: 'secret' };
  let sls: FakeSls;
  const req = (t: Target, f: EventFilter, order: 'asc' | 'desc', limit: number, after?: string) => ({ target: t, filter: f, order, limit, signal: new AbortController().signal, ...(after ? { after } : {}) });
  const log = (ms: number, content: string, extra: Record<string, string> = {}) => ({ __time__: Math.floor(ms / 1000), __time_ns_part__: (ms % 1000) * 1_000_000, __topic__: '', content, level: 'INFO', ...extra });

  beforeAll(async () => {
    sls = await startFakeSls(creds);
    // 250 logs in one second, with a few identical ones, around two others.
    const logs = [log(T0 - 1000, 'before'), log(T0 + 2500, 'after')];
    for (let i = 0; i < 250; i++) logs.push(log(T0 + 1000 + (i % 7) * 100, i % 7 === 0 && i < 50 ? 'same line' : `line ${i}`));
    sls.put('app-log', logs);
  });
  afterAll(() => sls.close());

  it('pages a crowded second in pages of at most 100 lines, resuming inside it without duplicates or gaps', async () => {
    const adapter = createSlsAdapter({ endpoint: sls.endpoint, ...creds });
    for (const order of ['asc', 'desc'] as const) {
      const seen: string[] = [];
      const messages: string[] = [];
      let after: string | undefined;
      for (let i = 0; i < 100; i++) {
        const page = await adapter.search(req(target(), filter('', { from: T0 - 1000, to: T0 + 3000 }), order, 9, after));
        seen.push(...page.hits.map((h) => h.pos));
        messages.push(...page.hits.map((h) => h.event.message));
        if (page.done) break;
        after = page.hits[page.hits.length - 1]!.pos;
      }
      expect(new Set(seen).size).toBe(252);
      // Eight identical records in one millisecond are eight events.
      expect(messages.filter((m) => m === 'same line')).toHaveLength(8);
      expect(messages[order === 'asc' ? 0 : 251]).toBe('before');
    }
    expect(Math.max(...sls.calls.map((c) => Number(c.params.line)))).toBe(100);
    await adapter.close?.();
  });

  it('cuts to the exact millisecond range although SLS ranges by whole seconds', async () => {
    const adapter = createSlsAdapter({ endpoint: sls.endpoint, ...creds });
    const page = await adapter.search(req(target(), filter('', { from: T0 + 1150, to: T0 + 1300 }), 'asc', 1000));
    expect(new Set(page.hits.map((h) => h.event.ts))).toEqual(new Set([T0 + 1200]));
    const call = sls.calls[sls.calls.length - 1]!;
    expect([Number(call.params.from), Number(call.params.to)]).toEqual([Math.floor((T0 + 1150) / 1000), Math.ceil((T0 + 1300) / 1000)]);
    await adapter.close?.();
  });

  it('asks again while SLS says Incomplete, then reports the source partial', async () => {
    const adapter = createSlsAdapter({ endpoint: sls.endpoint, ...creds, maxRetries: 2, retryBaseMs: 1 });
    sls.incomplete(2);
    const ok = await adapter.search(req(target(), filter(), 'desc', 3));
    expect(ok.hits.map((h) => h.event.message)).toHaveLength(3);
    sls.incomplete(3);
    const before = sls.calls.length;
    const err = await adapter.search(req(target(), filter(), 'desc', 3)).catch((e: unknown) => e);
    expect(sls.calls.length - before).toBe(3);
    expect(err).toMatchObject({ code: 'BACKEND_ERROR', retriable: false, details: { partial: true, attempts: 3 } });
    expect((err as Error).message).toBe('sls shop-logs.127.0.0.1 logstore app-log: partial results: SLS answered x-log-progress: Incomplete 3 times');
    sls.incomplete(0);
    await adapter.close?.();
  });

  it('is refused with a wrong secret, a missing STS token or an unknown logstore', async () => {
    const wrong = createSlsAdapter({ endpoint: sls.endpoint, ...creds, accessKeySecret: 'nope' });
    await expect(wrong.search(req(target(), filter(), 'desc', 1))).rejects.toMatchObject({ code: 'BAD_CONFIG', message: expect.stringMatching(/SignatureNotMatch.*check accessKeyId and accessKeySecret/) });
    const sts = await startFakeSls({ ...creds, securityToken: 'tok' });
    sts.put('app-log', [log(T0, 'x')]);
    const noToken = createSlsAdapter({ endpoint: sts.endpoint, ...creds });
    await expect(noToken.search(req(target(), filter(), 'desc', 1))).rejects.toMatchObject({ code: 'BAD_CONFIG', details: { errorCode: 'Unauthorized' } });
    const withToken = createSlsAdapter({ endpoint: sts.endpoint, ...creds, securityToken: 'tok' });
    expect((await withToken.search(req(target(), filter(), 'desc', 1))).hits).toHaveLength(1);
    const missing = createSlsAdapter({ endpoint: sls.endpoint, ...creds });
    const t = target({ logstore: store({ logstore: 'nope-log' }) });
    await expect(missing.search(req(t, filter(), 'desc', 1))).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('check location.logstore') });
    for (const a of [wrong, noToken, withToken, missing]) await a.close?.();
    await sts.close();
  });

  it('retries nothing itself on a busy server but says it is retriable', async () => {
    const adapter = createSlsAdapter({ endpoint: sls.endpoint, ...creds });
    sls.failNext(403, 'QpsLimitExceeded', 'qps limit exceeded');
    await expect(adapter.search(req(target(), filter(), 'desc', 1))).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE', retriable: true });
    await adapter.close?.();
  });
});
