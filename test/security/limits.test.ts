// GraphQL limits and hostile input on the real server, each asked over HTTP and over graphql-ws
// with the same document and expected to be answered alike: depth, cost, aliases, tokens,
// directives, page size, time span, the query timeout, hidden field suggestions, regexes that
// would backtrack forever elsewhere, keyword caps; then the WebSocket's own hygiene.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { fileURLToPath } from 'node:url';
import { codeOf, startSecuredGateway, wsRun, type SecuredGateway } from './setup.js';

let gw: SecuredGateway;
beforeAll(async () => {
  gw = await startSecuredGateway((c) => ({
    ...c,
    plugins: [...c.plugins, { path: fileURLToPath(new URL('./fixtures/slow.ts', import.meta.url)) }],
    limits: {
      timeoutSeconds: 1,
      fieldSuggestions: false,
      directives: 5,
      websocket: { maxOperations: 2, idleSeconds: 2, maxPayloadBytes: 16_384, initTimeoutMs: 300 },
    },
  }));
});
afterAll(async () => {
  await gw?.stop();
});

/** The same document over both transports: [HTTP errors, WebSocket errors]. */
async function both(query: string, variables?: Record<string, unknown>): Promise<[any, any]> {
  const http = await gw.as('admin', query, variables);
  const client = gw.ws('admin');
  const ws = await wsRun(client, query, variables, 1);
  await client.dispose();
  return [http.body, ws];
}

const expectBoth = async (query: string, code: string, variables?: Record<string, unknown>) => {
  const [http, ws] = await both(query, variables);
  expect([codeOf(http.errors), codeOf(ws.errors)]).toEqual([code, code]);
  return [http, ws] as const;
};

const EVENT = 'ts domain env app file host level traceId message fields';

describe('operation limits, on HTTP and graphql-ws alike', () => {
  it('refuses a selection deeper than the depth limit', async () => {
    await expectBoth(`{ __type(name: "Query") { ${'ofType { '.repeat(11)}name${' }'.repeat(11)} } }`, 'LIMIT_EXCEEDED');
    const [ok] = await both(`{ __type(name: "Query") { ${'ofType { '.repeat(10)}name${' }'.repeat(10)} } }`);
    expect(ok.errors).toBeUndefined();
  });

  it('refuses more aliases than allowed', async () => {
    await expectBoth(`{ ${Array.from({ length: 31 }, (_, i) => `a${i}: health { status }`).join(' ')} }`, 'LIMIT_EXCEEDED');
  });

  it('refuses an operation whose cost is over the limit, while one full page is fine', async () => {
    const page = (alias: string) => `${alias}: logs(query: { domains: ["shop"] }, first: 1000) { edges { node { ${EVENT} } } }`;
    await expectBoth(`{ ${Array.from({ length: 10 }, (_, i) => page(`p${i}`)).join(' ')} }`, 'LIMIT_EXCEEDED');
    const [one] = await both(`{ ${page('p')} }`);
    expect(one.errors).toBeUndefined();
  });

  it('refuses a document with more tokens than allowed, before parsing it whole', async () => {
    const [http] = await expectBoth(`{ ${'a '.repeat(3001)} }`, 'LIMIT_EXCEEDED');
    expect(http.errors[0].message).toMatch(/more than 3000 tokens/);
  });

  it('refuses more directives than allowed', async () => {
    await expectBoth(`{ health @skip(if: false) { status @include(if: true) embedded @include(if: true) services @include(if: true) { name @include(if: true) status @include(if: true) } } }`, 'LIMIT_EXCEEDED');
  });

  it('refuses a page over 1000 rows and a time span over the limit', async () => {
    await expectBoth('{ logs(query: {}, first: 1001) { edges { cursor } } }', 'BAD_USER_INPUT');
    await expectBoth('query ($from: DateTime) { logs(query: { from: $from }, first: 1) { edges { cursor } } }', 'BAD_USER_INPUT', {
      from: new Date(Date.now() - 30 * 24 * 3600_000).toISOString(),
    });
  });

  it('answers TIMEOUT when an operation outlives the query timeout, even if its resolver never gives up', async () => {
    const [http] = await expectBoth('{ neverAnswers }', 'TIMEOUT');
    expect(http.errors[0].message).toMatch(/did not finish within 1 s/);
  });

  it('hides field suggestions', async () => {
    const [http, ws] = await both('{ helth { status } }');
    for (const errors of [http.errors, ws.errors]) {
      expect(errors[0].message).toMatch(/Cannot query field "helth"/);
      expect(errors[0].message).not.toMatch(/Did you mean/);
    }
  });
});

describe('hostile regexes and keywords', () => {
  const range = () => ({ from: new Date(gw.crmTs - 1000).toISOString() });
  const LOGS = 'query ($q: LogQuery!) { logs(query: $q, first: 10, strategy: ALL) { edges { node { message } } } }';

  it('runs a catastrophic pattern on a long line in linear time: it answers, and answers right', async () => {
    const [none] = await both(LOGS, { q: { ...range(), domains: ['crm'], regex: '(a+)+$' } });
    expect(none.errors).toBeUndefined();
    expect(none.data.logs.edges).toEqual([]);
    const [one, ws] = await both(LOGS, { q: { ...range(), domains: ['crm'], regex: '(a+)+!$' } });
    expect(one.data.logs.edges.map((e: any) => e.node.message.length)).toEqual([5001]);
    expect(ws.data[0].logs.edges).toHaveLength(1);
  });

  it('refuses backreferences and lookaround, and too many or too long keywords, in searches and tails', async () => {
    await expectBoth(LOGS, 'BAD_USER_INPUT', { q: { regex: '(a)\\1' } });
    await expectBoth(LOGS, 'BAD_USER_INPUT', { q: { regex: '(?=a)a' } });
    await expectBoth(LOGS, 'BAD_USER_INPUT', { q: { keywords: Array.from({ length: 33 }, (_, i) => `k${i}`).join(' ') } });
    await expectBoth(LOGS, 'BAD_USER_INPUT', { q: { keywords: 'x'.repeat(513) } });
    for (const filter of [{ regex: '(a)\\1' }, { keywords: Array.from({ length: 33 }, (_, i) => `k${i}`).join(' ') }]) {
      const client = gw.ws('admin');
      const res = await wsRun(client, 'subscription ($f: TailFilter!) { tail(filter: $f) { message } }', { f: filter });
      await client.dispose();
      expect(codeOf(res.errors)).toBe('BAD_USER_INPUT');
    }
  });

  it('filters a live tail with a catastrophic pattern and lets through only what matches', async () => {
    const client = gw.ws('admin');
    const got = wsRun(client, 'subscription { tail(filter: { domains: ["crm"], regex: "^(a+)+$" }) { message } }', undefined, 2);
    const publish = setInterval(() => {
      for (const message of [`${'a'.repeat(20_000)}!`, 'aaaa']) gw.runtime.tail.publish({ ts: Date.now(), domain: 'crm', env: 'prod', app: 'crm-api', file: 'app.log', message });
    }, 20);
    try {
      const { data } = await got;
      expect(data.map((d) => d.tail.message)).toEqual(['aaaa', 'aaaa']);
    } finally {
      clearInterval(publish);
      await client.dispose();
    }
  });
});

describe('WebSocket hygiene', () => {
  it('refuses an operation past maxOperations and keeps the running ones', async () => {
    const client = gw.ws('admin');
    const seen: string[] = [];
    const running = [1, 2].map((n) =>
      client.subscribe({ query: 'subscription { heartbeat(seconds: 1, count: 3) }' }, { next: () => seen.push(`hb${n}`), error: () => seen.push(`err${n}`), complete: () => undefined }),
    );
    await new Promise((r) => setTimeout(r, 100));
    const third = await wsRun(client, 'subscription { heartbeat(seconds: 1, count: 1) }');
    expect(codeOf(third.errors)).toBe('LIMIT_EXCEEDED');
    while (!seen.includes('hb1') || !seen.includes('hb2')) await new Promise((r) => setTimeout(r, 50));
    expect(seen.filter((s) => s.startsWith('err'))).toEqual([]);
    running.forEach((dispose) => dispose());
    await client.dispose();
  });

  it('closes a connection that runs nothing for idleSeconds with 4000', async () => {
    const client = gw.ws('admin');
    const closed = await client.closed;
    expect(closed.code).toBe(4000);
    expect(closed.reason).toMatch(/Idle timeout/);
    await client.dispose();
  });

  it('closes on a message over maxPayloadBytes (1009) and on a missing connection_init (4408)', async () => {
    const closeOf = (send?: string) =>
      new Promise<number>((resolve) => {
        const socket = new WebSocket(gw.wsUrl, 'graphql-transport-ws');
        socket.on('open', () => send && socket.send(send));
        socket.on('close', (code) => resolve(code));
      });
    expect(await closeOf(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${gw.keys.admin}`, pad: 'x'.repeat(20_000) } }))).toBe(1009);
    expect(await closeOf()).toBe(4408);
  });
});
