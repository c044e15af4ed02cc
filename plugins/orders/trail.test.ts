import { describe, expect, it } from 'vitest';
import type { LogEvent, LogfedApi, SearchInput, TraceResult } from '../../src/plugins/index.js';
import type { SearchResult, SourceStatus } from '../../src/query/request.js';
import { ev } from '../../src/query/testing.js';
import { annotateOrder } from './index.js';
import { DEFAULT_SPAN_MS, findOrderTrail } from './trail.js';

const NOW = 90_000_000;
const ok = (logstore: string): SourceStatus => ({ logstore, domain: 'shop', backend: 'files', status: 'OK', rows: 1, ms: 1 });

function fakeApi(lines: LogEvent[], traces: Record<string, TraceResult>, sources: SourceStatus[] = [ok('shop-order')]) {
  const searched: SearchInput[] = [];
  const traced: Array<Parameters<LogfedApi['trace']>[0]> = [];
  const api: LogfedApi = {
    async search(input) {
      searched.push(input);
      const result: SearchResult = { edges: lines.map((event, i) => ({ cursor: String(i), event })), pageInfo: { hasNextPage: false }, sources };
      return result;
    },
    async trace(args) {
      traced.push(args);
      return traces[args.traceId] ?? { traceId: args.traceId, hops: [], sources: [], truncated: false };
    },
  };
  return { api, searched, traced };
}

const hop = (domain: string, traceId: string, first: number) => ({ domain, traceId, events: [ev(first, { domain, traceId })], first, last: first });

describe('findOrderTrail', () => {
  it('searches its domains for the order as a phrase, then follows each trace id once, hops in time order', async () => {
    const lines = [
      ev(NOW - 50, { domain: 'shop', app: 'order', traceId: 's1', message: 'order ORD7 created' }),
      ev(NOW - 40, { domain: 'shop', app: 'order', traceId: 's1', message: 'calling pay-gateway for order ORD7' }),
      ev(NOW - 10, { domain: 'shop', app: 'order', traceId: 's2', message: 'order ORD7 refunded' }),
    ];
    const { api, searched, traced } = fakeApi(lines, {
      s1: { traceId: 's1', hops: [hop('pay', 'p1', NOW - 30), hop('shop', 's1', NOW - 50)], sources: [], truncated: false },
      s2: { traceId: 's2', hops: [hop('shop', 's2', NOW - 10)], sources: [], truncated: false },
    });
    const trail = await findOrderTrail(api, { orderId: 'ORD7', domains: ['shop'], now: NOW });
    expect(searched).toEqual([{ domains: ['shop'], keywords: '"ORD7"', from: NOW - DEFAULT_SPAN_MS, to: NOW, order: 'asc', first: 1000 }]);
    expect(traced).toEqual([
      { traceId: 's1', domain: 'shop', from: NOW - DEFAULT_SPAN_MS, to: NOW },
      { traceId: 's2', domain: 'shop', from: NOW - DEFAULT_SPAN_MS, to: NOW },
    ]);
    expect(trail!.lines.map((e) => e.message)).toEqual(lines.map((e) => e.message));
    expect(trail!.traceIds).toEqual(['s1', 's2']);
    expect(trail!.hops.map((h) => `${h.domain}:${h.traceId}`)).toEqual(['shop:s1', 'pay:p1', 'shop:s2']);
    expect(trail!.truncated).toBe(false);
  });

  it('answers null for an order no line names when every source answered', async () => {
    expect(await findOrderTrail(fakeApi([], {}).api, { orderId: 'ORD404', domains: ['shop'] })).toBeNull();
  });

  it('answers the failed sources rather than null when a source failed', async () => {
    const failed: SourceStatus = { ...ok('shop-cart'), status: 'ERROR', rows: 0, error: 'disk gone' };
    const trail = await findOrderTrail(fakeApi([], {}, [ok('shop-order'), failed]).api, { orderId: 'ORD404', domains: ['shop'] });
    expect(trail).toMatchObject({ lines: [], hops: [], failedSources: [failed] });
  });

  it('refuses an order id that is not one search term', async () => {
    await expect(findOrderTrail(fakeApi([], {}).api, { orderId: 'ORD1" OR "x', domains: ['shop'] })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});

describe('annotateOrder', () => {
  it('adds the order number a message names, keeping other fields', () => {
    expect(annotateOrder(ev(1, { message: 'order ORD20260001 paid', fields: { a: 1 } })).fields).toEqual({ a: 1, orderId: 'ORD20260001' });
    const plain = ev(1, { message: 'GET /cart/7 200' });
    expect(annotateOrder(plain)).toBe(plain);
  });
});
