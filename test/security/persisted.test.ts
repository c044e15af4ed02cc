// The persisted-query allow-list on the real server: with it on, a listed document runs whether
// it is sent whole or by hash, on HTTP (POST and GET) and graphql-ws; anything else is refused.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/server/limits/persisted.js';
import { codeOf, startSecuredGateway, wsRun, type SecuredGateway } from './setup.js';

const LISTED = '{ domains { name } }';
const LISTED_SUB = 'subscription { heartbeat(seconds: 1, count: 1) }';

let gw: SecuredGateway;
beforeAll(async () => {
  gw = await startSecuredGateway((c) => {
    const manifest = join(c.backends.fixtures.root, 'persisted.json');
    writeFileSync(manifest, JSON.stringify({ [sha256(LISTED)]: LISTED, [sha256(LISTED_SUB)]: LISTED_SUB }));
    return { ...c, limits: { persistedQueries: { enabled: true, manifest } } };
  });
});
afterAll(async () => {
  await gw?.stop();
});

const post = (body: unknown) =>
  fetch(gw.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${gw.keys.payReader}` }, body: JSON.stringify(body) }).then(async (r) => ({
    status: r.status,
    body: (await r.json()) as any,
  }));
const byHash = (q: string) => ({ extensions: { persistedQuery: { version: 1, sha256Hash: sha256(q) } } });

describe('persisted queries only', () => {
  it('runs a listed document sent whole or by hash over HTTP, and refuses any other', async () => {
    const whole = await post({ query: LISTED });
    expect(whole.body).toEqual({ data: { domains: [{ name: 'pay' }] } });
    expect((await post(byHash(LISTED))).body.data.domains).toEqual([{ name: 'pay' }]);
    const other = await post({ query: '{ domains { name description } }' });
    expect(other.status).toBe(400);
    expect(codeOf(other.body.errors)).toBe('PERSISTED_QUERY_NOT_ALLOWED');
    expect(codeOf((await post(byHash('{ nope }'))).body.errors)).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('does the same for GET', async () => {
    const get = (params: Record<string, string>) =>
      fetch(`${gw.url}?${new URLSearchParams(params)}`, { headers: { authorization: `Bearer ${gw.keys.payReader}`, 'apollo-require-preflight': 'true' } }).then((r) => r.json() as Promise<any>);
    expect((await get({ extensions: JSON.stringify(byHash(LISTED).extensions) })).data.domains).toEqual([{ name: 'pay' }]);
    expect(codeOf((await get({ query: '{ health { status } }' })).errors)).toBe('PERSISTED_QUERY_NOT_ALLOWED');
  });

  it('holds over graphql-ws too', async () => {
    const client = gw.ws('payReader');
    try {
      expect((await wsRun(client, LISTED)).data).toEqual([{ domains: [{ name: 'pay' }] }]);
      expect((await wsRun(client, LISTED_SUB)).data).toHaveLength(1);
      expect(codeOf((await wsRun(client, 'subscription { heartbeat(seconds: 1, count: 2) }')).errors)).toBe('PERSISTED_QUERY_NOT_ALLOWED');
      const hashOnly = await new Promise<any>((resolve) => {
        const out: any[] = [];
        client.subscribe({ query: '', ...byHash(LISTED) }, { next: (m) => out.push(m), error: resolve, complete: () => resolve(out) });
      });
      expect(hashOnly).toEqual([{ data: { domains: [{ name: 'pay' }] } }]);
    } finally {
      await client.dispose();
    }
  });
});
