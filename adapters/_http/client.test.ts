import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, queryString } from './client.js';
import { decodePosition, encodePosition } from './position.js';
import { interiorWords } from './words.js';
import { levelSpellings } from './levels.js';
import { httpError, statusCode } from './status.js';

describe('http client', () => {
  let server: Server;
  let url: string;
  let connections = 0;
  const seen: Array<{ url?: string; headers: Record<string, unknown>; body: string }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ url: req.url, headers: req.headers, body });
        if (req.url?.includes('/slow')) return; // never answers
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ ok: true, path: req.url }));
      });
    });
    server.on('connection', () => connections++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prefix/`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('reuses one connection for requests in sequence, and sends headers, query and body', async () => {
    const client = createHttpClient({ url, timeoutMs: 2000, name: 'test', headers: { 'x-tenant': 't1' } });
    const before = connections;
    for (let i = 0; i < 5; i++) {
      const res = await client.request({ method: 'POST', path: '/a', query: { q: 'a b&c', n: i, skip: undefined }, body: `{"i":${i}}`, signal: new AbortController().signal });
      expect(res.status).toBe(200);
      expect(JSON.parse(res.text).path).toBe(`/prefix/a?q=a%20b%26c&n=${i}`);
    }
    expect(connections - before).toBe(1);
    const last = seen[seen.length - 1]!;
    expect(last.headers['x-tenant']).toBe('t1');
    expect(last.body).toBe('{"i":4}');
    client.close();
  });

  it('fails with TIMEOUT naming the endpoint when no answer comes in time', async () => {
    const client = createHttpClient({ url, timeoutMs: 100, name: 'loki' });
    const err = await client.request({ path: '/slow', signal: new AbortController().signal }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TIMEOUT', retriable: true });
    expect((err as Error).message).toContain(`loki http://127.0.0.1:`);
    client.close();
  });

  it('fails with CANCELLED when the caller aborts, before or while the request runs', async () => {
    const client = createHttpClient({ url, timeoutMs: 5000, name: 'x' });
    const ac = new AbortController();
    const running = client.request({ path: '/slow', signal: ac.signal });
    ac.abort();
    await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(client.request({ path: '/a', signal: ac.signal })).rejects.toMatchObject({ code: 'CANCELLED' });
    client.close();
  });

  it('maps a refused connection to a retriable BACKEND_UNAVAILABLE', async () => {
    const client = createHttpClient({ url: 'http://127.0.0.1:9', timeoutMs: 2000, name: 'x' });
    await expect(client.request({ path: '/', signal: new AbortController().signal })).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE', retriable: true });
    client.close();
  });

  it('refuses a url that is not http(s)', () => {
    expect(() => createHttpClient({ url: 'ftp://x', timeoutMs: 1, name: 'sls' })).toThrow(/sls url: expected http/);
  });

  it('builds query strings with every part encoded and undefined values left out', () => {
    expect(queryString({ a: 'x y', b: undefined, c: true, 'd e': 1 })).toBe('?a=x%20y&c=true&d%20e=1');
    expect(queryString({})).toBe('');
  });
});

describe('positions', () => {
  it('round-trips and refuses foreign or malformed positions with BAD_USER_INPUT', () => {
    const pos = encodePosition('z1', [12, 'a.b']);
    expect(decodePosition('z1', pos, 'zed', 'ns')).toEqual([12, 'a.b']);
    expect(decodePosition('z1', encodePosition('z1', [1, 2]), 'zed', 'nv')).toEqual([1, 2]);
    for (const bad of ['not-a-position', 'y1.' + pos.slice(3), 'z1.%%%', encodePosition('z1', [1]), encodePosition('z1', ['1', 'a'])]) {
      expect(() => decodePosition('z1', bad, 'zed', 'ns')).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
    }
  });
});

describe('interior words', () => {
  const rules = { isBreak: (c: string) => c === ' ', isSafe: (c: string) => /[a-z0-9]/i.test(c) };
  it('keeps only runs bounded by breaks inside the keyword', () => {
    expect(interiorWords('order 1001 created', rules)).toEqual(['1001']);
    expect(interiorWords('order', rules)).toEqual([]);
    expect(interiorWords(' a b_c d ', rules)).toEqual(['a', 'd']);
    expect(interiorWords('x 订单 y', rules)).toEqual([]);
  });
});

describe('levels and statuses', () => {
  it('lists the raw spellings that normalise to a level', () => {
    expect(levelSpellings(['warn'])).toEqual(['WARN', 'WARNING']);
    expect(levelSpellings(['Error', 'fatal'])).toEqual(['CRIT', 'CRITICAL', 'ERR', 'ERROR', 'FATAL', 'PANIC', 'SEVERE']);
  });
  it('maps statuses through one table', () => {
    expect([400, 401, 403, 404, 408, 429, 500, 502, 503, 504, 418, 599].map(statusCode)).toEqual([
      'BACKEND_ERROR',
      'BAD_CONFIG',
      'BAD_CONFIG',
      'NOT_FOUND',
      'TIMEOUT',
      'BACKEND_UNAVAILABLE',
      'BACKEND_ERROR',
      'BACKEND_UNAVAILABLE',
      'BACKEND_UNAVAILABLE',
      'TIMEOUT',
      'BACKEND_ERROR',
      'BACKEND_UNAVAILABLE',
    ]);
    expect(httpError('loki x', 429, ' too many\n requests ')).toMatchObject({ code: 'BACKEND_UNAVAILABLE', retriable: true, message: 'loki x: too many requests' });
  });
});
