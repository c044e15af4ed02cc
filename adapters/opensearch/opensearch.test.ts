import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseKeywords } from '../../src/query/match.js';
import type { EventFilter, Target } from '../../src/query/types.js';
import { resolveFields, OpensearchConfigSchema } from './config.js';
import { checkComplete, responseError } from './errors.js';
import { valueAt } from './hits.js';
import { createOpensearchAdapter, decodeSortPosition, encodeSortPosition } from './index.js';
import { keywordClauses, searchBody, wildcardLiteral } from './query.js';

const fields = resolveFields(OpensearchConfigSchema.parse({ url: 'http://x:9200' }));
const store = { id: 's', domain: 'shop', env: 'prod', layout: 'env' as const, backend: 'os', location: { index: 'logs-*' } };
const target: Target = { id: 's', domain: 'shop', env: 'prod', logstore: store, apps: ['cart'], files: ['error'] };
const filter = (kw = '', extra: Partial<EventFilter> = {}): EventFilter => ({ from: 1000, to: 2000, keywords: parseKeywords(kw), ...extra });

describe('opensearch query', () => {
  it('filters on time, apps, files, level spellings and trace id, sorted on (ts, tiebreak) with search_after', () => {
    const body = searchBody({ target, filter: filter('', { levels: ['warn'], traceId: 't1' }), order: 'desc', size: 11, fields, tiebreak: '_id', searchAfter: [1500, 'abc'] });
    expect(body).toEqual({
      size: 11,
      track_total_hits: false,
      _source: ['level', 'message', 'app', 'file', 'host', 'traceId'],
      sort: [{ '@timestamp': { order: 'desc', unmapped_type: 'date', numeric_type: 'date' } }, { _id: { order: 'desc' } }],
      query: {
        bool: {
          filter: [
            { range: { '@timestamp': { gte: 1000, lt: 2000, format: 'epoch_millis' } } },
            { terms: { app: ['cart'] } },
            { terms: { file: ['error'] } },
            { bool: { should: [{ term: { level: { value: 'WARN', case_insensitive: true } } }, { term: { level: { value: 'WARNING', case_insensitive: true } } }], minimum_should_match: 1 } },
            { term: { traceId: 't1' } },
          ],
        },
      },
      search_after: [1500, 'abc'],
    });
  });

  it('sends keywords as exact wildcards on the keyword field, escaping its special characters', () => {
    expect(wildcardLiteral('a*b?c\\d')).toBe('a\\*b\\?c\\\\d');
    const kw = keywordClauses(filter('"100% *off*" -"C:\\data"'), fields, 'message.raw');
    expect(kw).toEqual({
      must: [{ wildcard: { 'message.raw': { value: '*100% \\*off\\**', case_insensitive: false } } }],
      mustNot: [{ wildcard: { 'message.raw': { value: '*C:\\\\data*', case_insensitive: false } } }],
    });
  });

  it('narrows an analysed message only by whole interior words and never excludes by token', () => {
    const kw = keywordClauses(filter('"order 1001 created" "user_ 7 x" Created -created'), fields);
    expect(kw).toEqual({
      must: [
        { match_phrase: { message: { query: '1001', zero_terms_query: 'all' } } },
        { match_phrase: { message: { query: '7', zero_terms_query: 'all' } } },
      ],
      mustNot: [],
    });
  });

  it('filters on env only when an env field is configured', () => {
    const withEnv = resolveFields(OpensearchConfigSchema.parse({ url: 'http://x', fields: { env: 'service.environment' } }));
    const body = searchBody({ target: { ...target, apps: undefined, files: undefined }, filter: filter(), order: 'asc', size: 1, fields: withEnv, tiebreak: 'event.id' });
    expect((body.query as any).bool.filter[1]).toEqual({ term: { 'service.environment': 'prod' } });
    expect(body.sort).toEqual([{ '@timestamp': { order: 'asc', unmapped_type: 'date', numeric_type: 'date' } }, { 'event.id': { order: 'asc', unmapped_type: 'keyword' } }]);
  });
});

describe('opensearch hits and positions', () => {
  it('reads flat, nested and mixed dotted paths, and a .keyword field from its parent', () => {
    const src = { 'log.level': 'warn', service: { name: 'cart' }, log: { 'file.path': 'app' }, trace: { id: ['t'] }, message: 'm' };
    expect(valueAt(src, 'log.level')).toBe('warn');
    expect(valueAt(src, 'service.name')).toBe('cart');
    expect(valueAt(src, 'log.file.path')).toBe('app');
    expect(valueAt(src, 'message.keyword')).toBe('m');
    expect(valueAt(src, 'nope.x')).toBeUndefined();
  });
  it('round-trips sort values and refuses foreign positions', () => {
    expect(decodeSortPosition(encodeSortPosition([17, 'id-1']))).toEqual([17, 'id-1']);
    expect(decodeSortPosition(encodeSortPosition([17, 42]))).toEqual([17, 42]);
    expect(() => decodeSortPosition('m1.1.abc')).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
  });
});

describe('opensearch config', () => {
  it('names the field, what was expected and what came', () => {
    expect(() => createOpensearchAdapter({ url: 'not a url' })).toThrow(/opensearch adapter config: config\.url: Invalid url \(got "not a url"\)/);
    expect(() => createOpensearchAdapter({ url: 'http://x', fields: { lvl: 'x' } } as never)).toThrow(/config\.fields: .*lvl/);
    expect(() => createOpensearchAdapter({ url: 'http://x', password: 'p' })).toThrow(/config\.password: password needs username/);
    expect(() => createOpensearchAdapter({ url: 'http://x', username: 'u', apiKey: 'k' })).toThrow(/config\.apiKey: give either/);
    expect(() => createOpensearchAdapter({ url: 'http://x', tiebreak: 'a b' })).toThrow(/config\.tiebreak: expected a field path/);
  });
  it('refuses a location without an index, naming the logstore', async () => {
    const a = createOpensearchAdapter({ url: 'http://127.0.0.1:9' });
    const bad = { ...target, logstore: { ...store, location: { index: 'a b' } } };
    await expect(a.search({ target: bad, filter: filter(), order: 'desc', limit: 1, signal: new AbortController().signal })).rejects.toThrow(/logstore s: location\.index: expected an index name/);
    await a.close?.();
  });
});

describe('opensearch errors', () => {
  it('maps server errors by type and status', () => {
    const notFound = responseError('os idx', 404, JSON.stringify({ error: { root_cause: [{ type: 'index_not_found_exception', reason: 'no such index [x]' }], type: 'index_not_found_exception', reason: 'no such index [x]' }, status: 404 }));
    expect(notFound).toMatchObject({ code: 'NOT_FOUND', message: 'os idx: no such index [x] (check location.index)' });
    const idSort = responseError('os idx', 400, JSON.stringify({ error: { type: 'search_phase_execution_exception', reason: 'all shards failed', root_cause: [{ type: 'illegal_argument_exception', reason: 'Fielddata access on the _id field is disallowed, you can re-enable it by updating the dynamic cluster setting: indices.id_field_data.enabled' }] } }));
    expect(idSort.code).toBe('BAD_CONFIG');
    expect(idSort.message).toMatch(/set the backend's tiebreak/);
    expect(responseError('os', 401, '{"error":"Unauthorized"}')).toMatchObject({ code: 'BAD_CONFIG', message: 'os: Unauthorized (check username/password or apiKey)' });
    expect(responseError('os', 429, 'rejected execution')).toMatchObject({ code: 'BACKEND_UNAVAILABLE', retriable: true });
    expect(responseError('os', 503, '<html>gateway</html>')).toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
  });
  it('reports failed shards and timed-out searches as partial', () => {
    expect(() => checkComplete('os i', { _shards: { total: 3, failed: 0 } })).not.toThrow();
    expect(() => checkComplete('os i', { _shards: { total: 3, failed: 1, failures: [{ index: 'logs-1', reason: { type: 'x', reason: 'boom' } }] } })).toThrow(
      expect.objectContaining({ code: 'BACKEND_ERROR', message: 'os i: partial results: 1 of 3 shards failed (index logs-1): boom', details: { partial: true, failedShards: 1, totalShards: 3 } }),
    );
    expect(() => checkComplete('os i', { timed_out: true })).toThrow(/partial results: the search timed out/);
  });
});

describe('opensearch over HTTP', () => {
  let server: Server;
  let url: string;
  const auth: Array<string | undefined> = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      auth.push(req.headers.authorization);
      req.resume();
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ _shards: { total: 1, failed: 0 }, hits: { hits: [{ _id: 'a', _source: { message: 'x' } }] } }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('sends basic or API-key credentials', async () => {
    const req = { target: { ...target, apps: undefined, files: undefined }, filter: filter(), order: 'desc' as const, limit: 1, signal: new AbortController().signal };
    for (const cfg of [{ username: 'u', password: 'p' }, { apiKey: 'aWQ6a2V5' }]) {
      const a = createOpensearchAdapter({ url, ...cfg });
      // A hit without sort values is a broken answer, not an event at time NaN.
      await expect(a.search(req)).rejects.toThrow(/without its sort values/);
      await a.close?.();
    }
    expect(auth).toEqual([`Basic ${Buffer.from('u:p').toString('base64')}`, 'ApiKey aWQ6a2V5']);
  });
});
