// The foundation end to end: the real server on a free port passes the GraphQL-over-HTTP audit,
// serves /healthz and /metrics, and streams demo lines to a graphql-ws client.

import { createClient } from 'graphql-ws';
import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestGateway, type TestGateway } from '../helpers/server.js';
import { overWs } from '../helpers/ws.js';

// 13 levels of selection: one past the limit. `__type` counts; only `__schema` (the standard
// introspection query, 15 levels deep) is left to the token and cost limits.
const TOO_DEEP = `query { __type(name: "Query") { ${'ofType { '.repeat(11)}name${' }'.repeat(11)} } }`;

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw?.stop();
});

describe('GraphQL over HTTP', () => {
  it('passes every MUST audit of the graphql-http suite', async () => {
    const audits = serverAudits({ url: gw.url, fetchFn: fetch });
    const failures: string[] = [];
    let must = 0;
    for (const audit of audits) {
      const result = await audit.fn();
      if (audit.name.startsWith('MUST')) {
        must++;
        if (result.status !== 'ok') failures.push(`${audit.id} ${audit.name}: ${result.reason}`);
      }
    }
    expect(must).toBeGreaterThan(10);
    expect(failures).toEqual([]);
  });

  it('answers a query with extensions.code on bad input', async () => {
    const ok = await gw.gql('{ health { status embedded services { name status } } }');
    expect(ok.data.health).toMatchObject({ status: 'OK', embedded: true });
    const bad = await gw.gql('subscription { heartbeat(seconds: 0, count: 1) }');
    expect(bad.errors?.length).toBeGreaterThan(0);
  });

  it('answers a subscription sent over HTTP with where to subscribe instead', async () => {
    const res = await gw.gql('subscription { tail(filter: {}) { message } }');
    expect(res.data).toBeUndefined();
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    expect(res.errors?.[0]?.message).toContain('WebSocket');
  });

  it('serves /healthz and Prometheus /metrics', async () => {
    const health = await fetch(gw.url.replace('/graphql', '/healthz'));
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'OK' });
    const metrics = await (await fetch(gw.url.replace('/graphql', '/metrics'))).text();
    expect(metrics).toContain('logfed_process_');
    expect(metrics).toContain('logfed_tail_published_total');
  });

  it('rejects over-deep queries with LIMIT_EXCEEDED', async () => {
    expect((await gw.gql('query { health { services { name } } }')).errors).toBeUndefined();
    const res = await gw.gql(TOO_DEEP);
    expect(res.errors?.[0]?.extensions?.code).toBe('LIMIT_EXCEEDED');
  });
});

/** The first `n` payloads of a subscription field. */
const take = async (query: string, field: string, n: number) => (await overWs(gw.wsUrl, query, n)).map((r) => r.data?.[field]);

describe('GraphQL over WebSocket', () => {
  it('streams live demo lines to a graphql-ws client', async () => {
    const received = await take('subscription { tail(filter: {}) { ts domain app level message dropped fields } }', 'tail', 5);
    expect(received).toHaveLength(5);
    for (const e of received) {
      expect(['shop', 'pay']).toContain(e.domain);
      expect(e.ts).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(e.message.length).toBeGreaterThan(0);
      // mined on the way: each live line carries its pattern and top pattern
      expect(e.fields.pattern).toMatch(/\S/);
      expect(e.fields.topPattern).toMatch(/\S/);
    }
  });

  it('filters the tail by domain and level', async () => {
    const got = await take('subscription { tail(filter: { domains: ["pay"], levels: ["INFO"] }) { domain level } }', 'tail', 3);
    expect(got).toHaveLength(3);
    expect(got.every((e) => e.domain === 'pay' && e.level === 'INFO')).toBe(true);
  });

  it('applies the same depth limit to subscriptions', async () => {
    const client = createClient({ url: gw.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 });
    const error = await new Promise<any>((resolve) => {
      client.subscribe(
        { query: TOO_DEEP },
        { next: () => undefined, error: resolve, complete: () => resolve(undefined) },
      );
    });
    await client.dispose();
    expect(Array.isArray(error) ? error[0]?.extensions?.code : error?.extensions?.code).toBe('LIMIT_EXCEEDED');
  });
});
