// Patterns end to end over the real demo gateway: live demo traffic becomes stored patterns with
// samples and a histogram, an annotation round-trips with its author, a page of `logs` is
// clustered on demand, a graphql-ws client sees a never-seen message arrive as a NEW pattern and
// then its count change, and the exception scanner's findings answer (empty until a scan ran).

import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { waitFor } from '../../src/compute/bus/testing.js';
import type { LogEvent } from '../../src/core/event.js';
import { startTestGateway, type TestGateway } from '../helpers/server.js';

let gw: TestGateway;
const clients: Client[] = [];

beforeAll(async () => {
  gw = await startTestGateway((c) => ({ ...c, demo: { ...c.demo, linesPerSecond: 200 }, patterns: { flushMs: 200 } }));
});
afterAll(async () => {
  for (const c of clients) await c.dispose();
  await gw?.stop();
});

const PATTERN_FIELDS = 'id patternId domain app template topPatternId count firstSeen lastSeen samples annotation { label cause advice author at }';

async function demoPatterns(): Promise<any[]> {
  const res = await gw.gql(`{ patterns(orderBy: COUNT, first: 20) { ${PATTERN_FIELDS} } }`);
  expect(res.errors).toBeUndefined();
  return res.data.patterns;
}

describe('patterns over the demo gateway', () => {
  it('lists the patterns the live demo traffic makes, most frequent first', async () => {
    await waitFor(async () => (await demoPatterns()).length >= 5, 'demo patterns', 20_000);
    const patterns = await demoPatterns();
    const counts = patterns.map((p) => p.count);
    expect(counts).toStrictEqual([...counts].sort((a, b) => b - a));
    for (const p of patterns) {
      expect(['shop', 'pay']).toContain(p.domain);
      expect(p.id).toBe(`${p.domain}/${p.app}/${p.patternId}`);
      expect(p.samples.length).toBeGreaterThan(0);
      expect(p.samples.length).toBeLessThanOrEqual(5);
      expect(Date.parse(p.lastSeen)).toBeGreaterThanOrEqual(Date.parse(p.firstSeen));
    }
    // Masked variables: demo lines carry order numbers and timings.
    expect(patterns.some((p) => p.template.includes('<*>'))).toBe(true);
  });

  it('answers one pattern with a minute histogram that adds up to its count', async () => {
    const [top] = await demoPatterns();
    const res = await gw.gql(
      `query ($id: ID!, $from: DateTime!) { pattern(id: $id) { id count histogram(from: $from, bucketMinutes: 1) { ts count } } }`,
      { id: top.id, from: Date.parse(top.firstSeen) - 60_000 },
    );
    expect(res.errors).toBeUndefined();
    const { pattern } = res.data;
    expect(pattern.id).toBe(top.id);
    // Traffic goes on between the reads: the histogram is read after the count, and before a re-read.
    const total = pattern.histogram.reduce((n: number, b: any) => n + b.count, 0);
    const later = (await gw.gql('query ($id: ID!) { pattern(id: $id) { count } }', { id: top.id })).data.pattern.count;
    expect(total).toBeGreaterThanOrEqual(pattern.count);
    expect(total).toBeLessThanOrEqual(later);
    expect((await gw.gql('{ pattern(id: "shop/nope/p00000000000000") { id } }')).data.pattern).toBeNull();
    expect((await gw.gql('{ pattern(id: "not-an-id") { id } }')).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('round-trips an annotation, with the caller as its author', async () => {
    const [top] = await demoPatterns();
    const res = await gw.gql(
      `mutation ($id: ID!) { annotatePattern(id: $id, label: "normal traffic", cause: "demo requests", advice: "none needed") { id annotation { label cause advice author at } } }`,
      { id: top.id },
      { 'x-logfed-user': 'ann' },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.annotatePattern.annotation).toMatchObject({ label: 'normal traffic', cause: 'demo requests', advice: 'none needed', author: 'ann' });
    const labelled = await gw.gql(`{ patterns(filter: { labelled: true }) { id annotation { label author } } }`);
    expect(labelled.data.patterns).toStrictEqual([{ id: top.id, annotation: { label: 'normal traffic', author: 'ann' } }]);
    const empty = await gw.gql(`mutation ($id: ID!) { annotatePattern(id: $id, label: "  ") { id } }`, { id: top.id });
    expect(empty.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const unknown = await gw.gql(`mutation { annotatePattern(id: "shop/cart/p00000000000000", label: "x") { id } }`);
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('clusters a page of logs results on demand', async () => {
    const res = await gw.gql(`{ logs(query: { domains: ["shop"] }, first: 200, strategy: ALL) { edges { node { message } } patterns(first: 50) { id template count sample apps } } }`);
    expect(res.errors).toBeUndefined();
    const { edges, patterns } = res.data.logs;
    expect(edges.length).toBeGreaterThan(0);
    expect(patterns.length).toBeGreaterThan(0);
    expect(patterns.length).toBeLessThan(edges.length);
    expect(patterns.reduce((n: number, p: any) => n + p.count, 0)).toBe(edges.length);
    for (const p of patterns) {
      // A sample is the first line of its pattern, cut to 512 characters.
      expect(edges.some((e: any) => e.node.message.startsWith(p.sample))).toBe(true);
      expect(p.apps.every((a: string) => a.startsWith('shop/'))).toBe(true);
    }
  });

  it('streams a never-seen message as a NEW pattern, then its count change, to a graphql-ws client', async () => {
    const client = createClient({ url: gw.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 });
    clients.push(client);
    const batches: any[][] = [];
    let failure: unknown;
    const subscribed = gw.runtime.patterns!.feed.size;
    const dispose = client.subscribe(
      { query: 'subscription { patterns(filter: { apps: ["e2e-probe"] }) { kind id patternId template count delta sample merged } }' },
      { next: (msg) => batches.push((msg.data as any).patterns), error: (err) => (failure = err), complete: () => undefined },
    );
    await waitFor(() => gw.runtime.patterns!.feed.size > subscribed, 'the subscription to open', 10_000);

    const publish = (message: string) => {
      const event: LogEvent = { ts: Date.now(), domain: 'shop', env: 'prod', app: 'e2e-probe', file: 'app.log', level: 'INFO', message };
      gw.runtime.tail.publish(event);
    };
    publish('probe widget 42 calibrated in 17 ms');
    await waitFor(() => batches.length >= 1 || failure !== undefined, 'the first update', 10_000);
    expect(failure).toBeUndefined();
    expect(batches[0]).toStrictEqual([
      expect.objectContaining({ kind: 'NEW', template: 'probe widget <*> calibrated in <*> ms', count: 1, delta: 1, sample: 'probe widget 42 calibrated in 17 ms', merged: [] }),
    ]);

    publish('probe widget 43 calibrated in 9 ms');
    publish('probe widget 44 calibrated in 11 ms');
    await waitFor(() => batches.flat().reduce((n, u) => n + u.delta, 0) >= 3 || failure !== undefined, 'three probe lines counted', 10_000);
    dispose();
    const later = batches.slice(1).flat();
    expect(later.every((u) => u.kind === 'COUNT' && u.patternId === batches[0]![0].patternId)).toBe(true);
    expect(later[later.length - 1].count).toBe(3);
    expect(batches.flat().every((u) => u.id === `shop/e2e-probe/${u.patternId}`)).toBe(true);
  });

  it('refuses subscription filters that only stored patterns have', async () => {
    const client = createClient({ url: gw.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 });
    clients.push(client);
    const error = await new Promise<any>((resolve) => {
      client.subscribe({ query: 'subscription { patterns(filter: { labelled: true }) { id } }' }, { next: () => undefined, error: resolve, complete: () => resolve(undefined) });
    });
    expect(JSON.stringify(error)).toContain('labelled');
  });

  it('answers exceptionFindings (the demo has not run a scan window yet)', async () => {
    const res = await gw.gql('{ exceptionFindings(domain: "pay", first: 10) { kind domain app fingerprint type count baseline windowStart windowEnd message } }');
    expect(res.errors).toBeUndefined();
    expect(res.data.exceptionFindings).toStrictEqual([]);
  });
});
