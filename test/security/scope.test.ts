// Every read path cut to the caller's scope, on the real server: search, trace, topology, the
// live tail, compute and patterns; names outside the scope answer exactly as unknown names do;
// admin mutations need the admin role and the domain in scope; no credentials, no entry.

import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, JWT_SECRET, startSecuredGateway, wsRun, type SecuredGateway } from './setup.js';

let gw: SecuredGateway;
beforeAll(async () => {
  gw = await startSecuredGateway();
});
afterAll(async () => {
  await gw?.stop();
});

const LOGS = `query ($q: LogQuery!) { logs(query: $q, first: 500, strategy: ALL) { edges { node { domain app message } } sources { logstore domain } } }`;
const hour = () => ({ from: new Date(Date.now() - 3600_000).toISOString() });

/** The error of a query, with the one name it is about replaced, so two answers can be compared. */
const errorShape = (body: any, name: string) => ({
  message: String(body.errors?.[0]?.message).replaceAll(name, '<name>'),
  code: codeOf(body.errors),
  details: JSON.stringify(body.errors?.[0]?.extensions).replaceAll(name, '<name>'),
});

describe('authentication', () => {
  it('refuses HTTP callers without credentials or with a bad key, and accepts a JWT', async () => {
    const none = await gw.as(undefined, '{ health { status } }');
    expect(none.status).toBe(401);
    expect(codeOf(none.body.errors)).toBe('UNAUTHENTICATED');
    const bad = await fetch(gw.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${gw.keys.admin}x` }, body: '{"query":"{ health { status } }"}' });
    expect(bad.status).toBe(401);
    const token = await new SignJWT({ sub: 'jwt-user', logfed_domains: ['pay'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('https://idp.test')
      .setAudience('logfed')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(JWT_SECRET));
    const res = await fetch(gw.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: '{"query":"{ domains { name } }"}' });
    expect(((await res.json()) as any).data.domains).toEqual([{ name: 'pay' }]);
  });

  it('closes a WebSocket without credentials with 4401 and one with a bad key with 4403', async () => {
    const none = gw.ws(undefined);
    expect((await none.closed).code).toBe(4401);
    const bad = gw.ws({ authorization: `Bearer ${gw.keys.admin.slice(0, -2)}xx` });
    expect((await bad.closed).code).toBe(4403);
    await Promise.all([none.dispose(), bad.dispose()]);
  });
});

describe('search', () => {
  it('returns only the caller’s domains and apps, on both transports', async () => {
    const http = await gw.as('cartReader', LOGS, { q: hour() });
    const edges = http.body.data.logs.edges;
    expect(edges.length).toBeGreaterThan(0);
    expect(new Set(edges.map((e: any) => `${e.node.domain}/${e.node.app}`))).toEqual(new Set(['shop/cart-service']));
    expect(http.body.data.logs.sources.every((s: any) => s.domain === 'shop')).toBe(true);

    const client = gw.ws('payReader');
    const ws = await wsRun(client, LOGS, { q: hour() });
    await client.dispose();
    const domains = new Set(ws.data[0].logs.edges.map((e: any) => e.node.domain));
    expect([...domains]).toEqual(['pay']);
  });

  it('answers a domain or app outside the scope exactly as an unknown one', async () => {
    const outside = await gw.as('shopReader', LOGS, { q: { ...hour(), domains: ['pay'] } });
    const unknown = await gw.as('shopReader', LOGS, { q: { ...hour(), domains: ['nosuchdomain'] } });
    expect(codeOf(outside.body.errors)).toBe('BAD_USER_INPUT');
    expect(errorShape(outside.body, 'pay')).toEqual(errorShape(unknown.body, 'nosuchdomain'));

    const app = await gw.as('cartReader', LOGS, { q: { ...hour(), domains: ['shop'], apps: ['order-service'] } });
    const noApp = await gw.as('cartReader', LOGS, { q: { ...hour(), domains: ['shop'], apps: ['no-such-service'] } });
    expect(codeOf(app.body.errors)).toBe('BAD_USER_INPUT');
    expect(errorShape(app.body, 'order-service')).toEqual(errorShape(noApp.body, 'no-such-service'));
  });
});

describe('trace', () => {
  it('does not follow a gateway mapping into a domain outside the scope, and reads a named one as unknown', async () => {
    const start = await gw.as('admin', `{ logs(query: { domains: ["shop"], envs: ["prod"], apps: ["order-service"], keywords: "\\"calling pay-gateway\\"" }, first: 1) { edges { node { traceId } } } }`);
    const traceId = start.body.data.logs.edges[0].node.traceId;
    // The admin sees the hop into pay, so its absence below is the scope's doing.
    const TRACE_ALL = `query ($t: String!) { trace(traceId: $t) { hops { domain } } }`;
    let adminHops: string[] = [];
    for (let i = 0; i < 50 && !adminHops.includes('pay'); i++) {
      adminHops = (await gw.as('admin', TRACE_ALL, { t: traceId })).body.data.trace.hops.map((h: any) => h.domain);
      if (!adminHops.includes('pay')) await new Promise((r) => setTimeout(r, 200));
    }
    expect(adminHops).toContain('pay');
    const TRACE = `query ($t: String!, $d: String) { trace(traceId: $t, domain: $d) { hops { domain events { domain app } } } }`;
    const asShop = await gw.as('shopReader', TRACE, { t: traceId });
    expect(asShop.body.errors).toBeUndefined();
    const hopDomains = asShop.body.data.trace.hops.map((h: any) => h.domain);
    expect(hopDomains).toContain('shop');
    expect(hopDomains).not.toContain('pay');
    for (const h of asShop.body.data.trace.hops) for (const e of h.events) expect(e.domain).toBe('shop');

    const named = await gw.as('shopReader', TRACE, { t: traceId, d: 'pay' });
    const unknown = await gw.as('shopReader', TRACE, { t: traceId, d: 'nosuchdomain' });
    expect(errorShape(named.body, 'pay')).toEqual(errorShape(unknown.body, 'nosuchdomain'));
  });
});

describe('topology', () => {
  it('lists only what the scope holds and reads a domain outside it as absent', async () => {
    const q = `{ domains { name apps { name } logstores { id } } logstores { domain app } pay: domain(name: "pay") { name } shop: domain(name: "shop") { name } payStores: logstores(domain: "pay") { id } }`;
    const { body } = await gw.as('cartReader', q);
    expect(body.data.domains.map((d: any) => d.name)).toEqual(['shop']);
    expect(body.data.domains[0].apps.map((a: any) => a.name)).toEqual(['cart-service']);
    expect(body.data.pay).toBeNull();
    expect(body.data.shop).toEqual({ name: 'shop' });
    expect(body.data.payStores).toEqual([]);
    expect(body.data.logstores.every((s: any) => s.domain === 'shop' && (s.app === null || s.app === 'cart-service'))).toBe(true);
    const all = await gw.as('admin', '{ domains { name } }');
    expect(all.body.data.domains.map((d: any) => d.name).sort()).toEqual(['crm', 'pay', 'shop']);
  });

  it('shows a gateway mapping only when both of its domains are in scope', async () => {
    await gw.as('admin', 'mutation { addGatewayMapping(input: { fromDomain: "shop", fromTraceId: "t-sec", toDomain: "pay", toTraceId: "p-sec" }) { fromDomain } }');
    const asAdmin = await gw.as('admin', '{ gatewayMappings(traceId: "t-sec") { toDomain } }');
    expect(asAdmin.body.data.gatewayMappings).toEqual([{ toDomain: 'pay' }]);
    const asShop = await gw.as('shopReader', '{ gatewayMappings(traceId: "t-sec") { toDomain } byDomain: gatewayMappings(traceId: "p-sec", domain: "pay") { toDomain } }');
    expect(asShop.body.data).toEqual({ gatewayMappings: [], byDomain: [] });
  });
});

describe('admin mutations', () => {
  it('need the admin role, and the domains they touch in scope', async () => {
    const asReader = await gw.as('shopReader', 'mutation { upsertDomain(input: { name: "shop", description: "x" }) { name } }');
    expect(codeOf(asReader.body.errors)).toBe('FORBIDDEN');
    const outside = await gw.as('shopAdmin', 'mutation { upsertDomain(input: { name: "pay" }) { name } }');
    expect(codeOf(outside.body.errors)).toBe('FORBIDDEN');
    const mapping = await gw.as('shopAdmin', 'mutation { addGatewayMapping(input: { fromDomain: "shop", fromTraceId: "a", toDomain: "pay", toTraceId: "b" }) { toDomain } }');
    expect(codeOf(mapping.body.errors)).toBe('FORBIDDEN');
    const inside = await gw.as('shopAdmin', 'mutation { upsertDomain(input: { name: "shop", description: "the shop" }) { name description } }');
    expect(inside.body.data.upsertDomain).toEqual({ name: 'shop', description: 'the shop' });
    // deleting another domain's logstore answers as deleting an unknown id
    const other = await gw.as('shopAdmin', 'mutation { a: deleteLogstore(id: "pay-prod-pay-core-app") b: deleteLogstore(id: "no-such-store") }');
    expect(other.body.data).toEqual({ a: false, b: false });
    expect((await gw.as('admin', '{ logstores(domain: "pay") { id } }')).body.data.logstores.map((s: any) => s.id)).toContain('pay-prod-pay-core-app');
  });

  it('are refused over graphql-ws too', async () => {
    const client = gw.ws('payReader');
    const res = await wsRun(client, 'mutation { deleteDomain(name: "pay") }');
    await client.dispose();
    expect(codeOf(res.errors)).toBe('FORBIDDEN');
  });
});

describe('live tail', () => {
  it('streams only the caller’s domains and apps', async () => {
    const client = gw.ws('cartReader');
    const got = wsRun(client, 'subscription { tail(filter: {}) { domain app } }', undefined, 5);
    // Events of every domain arrive; the caller sees only its own.
    const publish = setInterval(() => {
      for (const [domain, app] of [['pay', 'pay-core'], ['shop', 'order-service'], ['crm', 'crm-api'], ['shop', 'cart-service']]) {
        gw.runtime.tail.publish({ ts: Date.now(), domain: domain!, env: 'prod', app: app!, file: 'app.log', message: 'live' });
      }
    }, 20);
    try {
      const res = await got;
      expect(res.data).toHaveLength(5);
      expect(res.data.every((d) => d.tail.domain === 'shop' && d.tail.app === 'cart-service')).toBe(true);
    } finally {
      clearInterval(publish);
      await client.dispose();
    }
  });
});

describe('compute and patterns', () => {
  it('hides compute tasks from a caller whose scope does not hold every domain, and refuses their changes', async () => {
    const all = await gw.as('admin', '{ tasks { id } }');
    expect(all.body.data.tasks.length).toBeGreaterThan(0);
    const id = all.body.data.tasks[0].id;
    const scoped = await gw.as('shopReader', `{ tasks { id } task(id: "${id}") { id } }`);
    expect(scoped.body.data).toEqual({ tasks: [], task: null });
    const rules = await gw.as('shopReader', `{ rules(taskId: "${id}") { id } }`);
    const unknown = await gw.as('shopReader', `{ rules(taskId: "no-such-task") { id } }`);
    expect(errorShape(rules.body, id)).toEqual(errorShape(unknown.body, 'no-such-task'));
    const stop = await gw.as('shopAdmin', `mutation { stopTask(id: "${id}") { id } }`);
    expect(codeOf(stop.body.errors)).toBe('FORBIDDEN');
  });

  it('lists only the patterns of the caller’s domains', async () => {
    const PATTERNS = '{ patterns(first: 200) { domain app } }';
    let everything: any[] = [];
    for (let i = 0; i < 100 && !new Set(everything.map((p) => p.domain)).has('pay'); i++) {
      everything = (await gw.as('admin', PATTERNS)).body.data?.patterns ?? [];
      if (!everything.some((p) => p.domain === 'pay')) await new Promise((r) => setTimeout(r, 200));
    }
    expect(everything.some((p) => p.domain === 'pay')).toBe(true);
    const scoped = (await gw.as('cartReader', PATTERNS)).body.data.patterns;
    expect(scoped.every((p: any) => p.domain === 'shop' && p.app.startsWith('cart-'))).toBe(true);
  });
});
