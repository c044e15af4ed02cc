// Domain plugins in the real server: the demo's example plugins (orders, pay-gateway) serve
// orderTrail and annotate shop events on HTTP and graphql-ws; a failing plugin hurts only its own
// domain and is named in every error; hooks see their own domains only; conflicts and plugins
// that do not load stop the start with the plugin named.

import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/server.js';
import { overWs } from '../helpers/ws.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}.ts`, import.meta.url));

async function waitFor<T>(probe: () => Promise<T>, done: (v: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const v = await probe();
    if (done(v)) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

const LOGS = `query($q: LogQuery!, $first: Int) { logs(query: $q, first: $first) {
  edges { node { ts domain app traceId message fields } } sources { logstore domain status error } } }`;

describe('the demo with its example plugins', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(async () => {
    await gw?.stop();
  });

  const TRAIL = `query($id: String!) { orderTrail(orderId: $id) {
    orderId traceIds truncated lines { ts domain app traceId message }
    hops { domain traceId first last events { ts app message } } failedSources { logstore } } }`;

  async function paidOrder(): Promise<string> {
    const res = await gw.gql(LOGS, { q: { domains: ['pay'], apps: ['pay-core'], keywords: 'authorised' }, first: 1 });
    return /order (ORD\d+)/.exec(res.data.logs.edges[0].node.message)![1]!;
  }

  it('serves orderTrail over HTTP: the shop lines of an order and its hops into pay, in time order', async () => {
    const order = await paidOrder();
    const res = await gw.gql(TRAIL, { id: order });
    expect(res.errors).toBeUndefined();
    const trail = res.data.orderTrail;
    expect(trail.orderId).toBe(order);
    expect(trail.failedSources).toEqual([]);
    expect(trail.lines.length).toBeGreaterThanOrEqual(3);
    for (const line of trail.lines) {
      expect(line.domain).toBe('shop');
      expect(line.message).toContain(order);
    }
    const ts = trail.lines.map((l: any) => l.ts);
    expect(ts).toEqual([...ts].sort());
    expect(trail.traceIds).toEqual([...new Set(trail.lines.map((l: any) => l.traceId))]);

    expect(trail.hops.map((h: any) => h.domain)).toEqual(['shop', 'pay']);
    expect(trail.hops[0].traceId).toBe(trail.traceIds[0]);
    expect(trail.hops[1].traceId).not.toBe(trail.traceIds[0]);
    expect(trail.hops[1].events.some((e: any) => e.app === 'pay-gateway' && e.message.includes(`upstream-trace=${trail.traceIds[0]}`))).toBe(true);
    expect(trail.hops[0].first <= trail.hops[1].first).toBe(true);
  });

  it('answers null for an order nobody logged, and refuses an id that is not one term', async () => {
    expect((await gw.gql(TRAIL, { id: 'ORD00000000' })).data.orderTrail).toBeNull();
    const bad = await gw.gql(TRAIL, { id: 'ORD1 OR x' });
    expect(bad.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', plugin: 'orders' });
  });

  it('serves orderTrail over graphql-ws too', async () => {
    const order = await paidOrder();
    const [res] = await overWs(gw.wsUrl, `{ orderTrail(orderId: "${order}") { orderId hops { domain } } }`);
    expect(res!.errors).toBeUndefined();
    expect(res!.data.orderTrail).toEqual({ orderId: order, hops: [{ domain: 'shop' }, { domain: 'pay' }] });
  });

  it('annotates the shop’s searched events with their order (results hook, HTTP)', async () => {
    const res = await gw.gql(LOGS, { q: { keywords: 'created' }, first: 20 });
    const nodes = res.data.logs.edges.map((e: any) => e.node);
    expect(nodes.length).toBe(20);
    for (const n of nodes) {
      if (n.domain === 'shop') expect(n.fields?.orderId).toBe(/\b(ORD\d+)\b/.exec(n.message)![1]);
      else expect(n.fields?.orderId).toBeUndefined();
    }
  });

  it('annotates the shop’s live events on a graphql-ws tail (event hook)', async () => {
    const got = await overWs(gw.wsUrl, 'subscription { tail(filter: { domains: ["shop"], keywords: "order" }) { domain message fields } }', 5);
    for (const r of got) {
      const e = r.data.tail;
      expect(e.fields.orderId).toBe(/\b(ORD\d+)\b/.exec(e.message)![1]);
    }
  });
});

describe('isolation and scoping', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway((c) => ({ ...c, plugins: [...c.plugins, { path: fixture('failing') }, { path: fixture('spy') }] }));
  });
  afterAll(async () => {
    await gw?.stop();
  });

  it('reports a throwing resolver by plugin name while the rest of the operation answers', async () => {
    const res = await gw.gql(`{ failingField logs(query: { domains: ["shop"] }, first: 3) { edges { node { domain } } } }`);
    expect(res.data.failingField).toBeNull();
    expect(res.data.logs.edges).toHaveLength(3);
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0].message).toContain('plugin "failing"');
    expect(res.errors![0].extensions).toMatchObject({ code: 'PLUGIN_ERROR', plugin: 'failing' });
    expect(res.errors![0].path).toEqual(['failingField']);
  });

  it('names the plugin on graphql-ws too', async () => {
    const [res] = await overWs(gw.wsUrl, '{ failingField }');
    expect(res!.errors![0]!.extensions).toMatchObject({ plugin: 'failing' });
  });

  it('keeps other domains answering when a results hook throws: its domain’s sources are ERROR, by name', async () => {
    const res = await gw.gql(LOGS, { q: { domains: ['shop', 'pay'] }, first: 50 });
    expect(res.errors).toBeUndefined();
    const { edges, sources } = res.data.logs;
    expect(edges).toHaveLength(50);
    expect(new Set(edges.map((e: any) => e.node.domain))).toEqual(new Set(['shop']));
    const pay = sources.filter((s: any) => s.domain === 'pay');
    expect(pay.length).toBeGreaterThan(0);
    for (const s of pay) {
      if (s.status === 'SKIPPED') continue;
      expect(s.status).toBe('ERROR');
      expect(s.error).toBe('plugin "failing": results hook failed: the results hook always fails');
    }
    expect(sources.filter((s: any) => s.domain === 'shop').every((s: any) => s.status === 'OK')).toBe(true);
  });

  it('keeps other domains answering when a plan hook throws', async () => {
    const res = await gw.gql(LOGS, { q: { keywords: 'fail-plan' }, first: 10 });
    expect(res.errors).toBeUndefined();
    const { sources } = res.data.logs;
    for (const s of sources.filter((x: any) => x.domain === 'pay')) expect(s.error).toBe('plugin "failing": plan hook failed: the plan hook always fails');
    expect(sources.filter((s: any) => s.domain === 'shop').every((s: any) => s.status === 'OK')).toBe(true);
  });

  it('shows each hook only the events and targets of its own domains', async () => {
    await gw.gql(LOGS, { q: { domains: ['shop', 'pay'] }, first: 100 });
    const SEEN = '{ spySeen { planDomains resultDomains eventDomains results events } }';
    const seen = await waitFor(
      async () => (await gw.gql(SEEN)).data.spySeen,
      (s: any) => s.events >= 20,
      'the spy to see live events',
    );
    expect(seen.results).toBeGreaterThan(0);
    expect(seen.planDomains).toEqual(['shop']);
    expect(seen.resultDomains).toEqual(['shop']);
    expect(seen.eventDomains).toEqual(['shop']);
  });

  it('applies event hooks to a graphql-ws tail: shop events annotated, pay events dropped by the failing hook', async () => {
    const got = await overWs(gw.wsUrl, 'subscription { tail(filter: {}) { domain message fields } }', 20);
    for (const r of got) {
      expect(r.data.tail.domain).toBe('shop');
      expect(r.data.tail.fields.spy).toBe(true);
    }
  });
});

describe('plugins that cannot start', () => {
  it('stops the start when two plugins define Query.orderTrail, naming both and the field', async () => {
    await expect(startTestGateway((c) => ({ ...c, plugins: [...c.plugins, { path: fixture('orders-copy') }] }))).rejects.toThrow(
      /Query\.orderTrail is defined by plugin "orders" and by plugin "orders-copy"/,
    );
  });

  it('stops the start when a plugin module is missing, naming the entry', async () => {
    await expect(startTestGateway((c) => ({ ...c, plugins: [{ path: '/nowhere/plugin-x' }] }))).rejects.toThrow(/plugins\[0\] \(\/nowhere\/plugin-x\): no plugin module/);
  });
});
