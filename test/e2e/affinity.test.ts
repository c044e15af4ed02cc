// Affinity-ranked batches over the real server: the demo's five apps with one app per batch, so a
// keyword search pages through five batches via `after` with no duplicate and no gap against
// strategy ALL; a user's history (x-logfed-user, over HTTP and graphql-ws) decides which apps
// come first; the batch-1 outcome shows on /metrics.

import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestGateway, type TestGateway } from '../helpers/server.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway((c) => ({ ...c, affinity: { batchSize: 1, userTop: 1 } }));
});
afterAll(async () => {
  await gw?.stop();
});

const LOGS = `query($q: LogQuery!, $first: Int, $after: String, $strategy: SearchStrategy) {
  logs(query: $q, first: $first, after: $after, strategy: $strategy) {
    edges { node { ts domain env app file message } }
    pageInfo { hasNextPage endCursor }
    sources { logstore status reason }
    batch batches hasMoreBatches
  } }`;

async function logs(user: string, q: Record<string, unknown>, opts: { first?: number; after?: string; strategy?: 'AFFINITY' | 'ALL' } = {}) {
  const res = await gw.gql(LOGS, { q, ...opts }, { 'x-logfed-user': user });
  if (res.errors) throw new Error(res.errors[0].message);
  return res.data.logs;
}

async function walk(user: string, q: Record<string, unknown>, opts: { first: number; strategy?: 'AFFINITY' | 'ALL' }) {
  const pages = [];
  let after: string | undefined;
  for (let i = 0; i < 100; i++) {
    const page = await logs(user, q, { ...opts, after });
    pages.push(page);
    if (!page.pageInfo.hasNextPage) return pages;
    after = page.pageInfo.endCursor;
  }
  throw new Error('the walk did not end');
}

/** Training runs after the answer, off the request path: wait until the user's scores show it. */
async function trained(user: string, app: string) {
  for (let i = 0; i < 200; i++) {
    const top = await gw.runtime.affinity!.store.topUserApps(user, 5);
    if (top.some((s) => s.app.app === app)) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no score for ${user} -> ${app}`);
}

const searched = (page: any) =>
  page.sources
    .filter((s: any) => s.status === 'OK')
    .map((s: any) => s.logstore)
    .sort();
const node = (e: any) => JSON.stringify(e.node);

describe('affinity-ranked batches over GraphQL', () => {
  const to = new Date().toISOString();
  const from = new Date(Date.now() - 20 * 60_000).toISOString();
  const query = { keywords: 'order', from, to };

  it('pages through the batches via after, each event once, as strategy ALL finds them', async () => {
    const all = await walk('walker', query, { first: 1000, strategy: 'ALL' });
    expect(all.every((p: any) => p.batch === 1 && p.batches === 1 && !p.hasMoreBatches)).toBe(true);
    const reference = all.flatMap((p: any) => p.edges.map(node));
    expect(reference.length).toBeGreaterThan(50);

    const pages = await walk('walker', query, { first: 40 });
    // five apps, one per batch; the env-layout logstore of shop/pre rides with batch 1
    expect(pages[0].batches).toBe(5);
    expect(pages[0].hasMoreBatches).toBe(true);
    expect(searched(pages[0])).toContain('shop-pre');
    const batches = pages.map((p: any) => p.batch);
    expect(batches).toEqual([...batches].sort((a, b) => a - b));
    expect(new Set(batches)).toEqual(new Set([1, 2, 3, 4, 5]));
    expect(pages.at(-1).hasMoreBatches).toBe(false);
    for (const p of pages) {
      const ts = p.edges.map((e: any) => e.node.ts);
      expect(ts).toEqual([...ts].sort().reverse());
      expect(p.batches).toBe(5);
    }
    const walked = pages.flatMap((p: any) => p.edges.map(node));
    expect(new Set(walked).size).toBe(walked.length);
    expect([...walked].sort()).toEqual([...reference].sort());
  });

  it("searches the apps a user asked for before first: each user's own", async () => {
    await logs('alice', { apps: ['user-service'] }, { first: 1 });
    await trained('alice', 'user-service');
    // bob asks over graphql-ws: the same header, as a connection parameter
    const client = createClient({ url: gw.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { 'x-logfed-user': 'bob' } });
    try {
      await new Promise<void>((resolve, reject) =>
        client.subscribe({ query: LOGS, variables: { q: { domains: ['shop'], apps: ['cart-service'] }, first: 1 } }, { next: () => undefined, error: reject, complete: resolve }),
      );
    } finally {
      await client.dispose();
    }
    await trained('bob', 'cart-service');

    const alice = await logs('alice', query, { first: 10 });
    expect(alice.batch).toBe(1);
    expect(searched(alice)).toEqual(['shop-pre', 'shop-prod-user-service']);
    const bob = await logs('bob', query, { first: 10 });
    expect(searched(bob)).toEqual(['shop-pre', 'shop-prod-cart-service']);
    const waiting = bob.sources.find((s: any) => s.logstore === 'pay-prod-pay-core-app');
    expect(waiting).toMatchObject({ status: 'SKIPPED', reason: expect.stringMatching(/^waits for batch [2-5]$/) });
    expect(bob.edges.every((e: any) => e.node.app === 'cart-service' || e.node.env === 'pre')).toBe(true);
  });

  it('shows the batch-1 outcomes on /metrics', async () => {
    const text = await (await fetch(gw.url.replace(/\/graphql$/, '/metrics'))).text();
    const ranked = Number(/^logfed_affinity_ranked_queries_total (\S+)$/m.exec(text)?.[1]);
    const hits = Number(/^logfed_affinity_batch1_hits_total (\S+)$/m.exec(text)?.[1] ?? 0);
    // at least the walk above, judged once it reached a later batch's rows or its end
    expect(ranked).toBeGreaterThanOrEqual(1);
    expect(hits).toBeLessThanOrEqual(ranked);
  });
});
