import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../core/event.js';
import type { SearchResult } from '../query/request.js';
import { backfillFromResult } from './backfill.js';
import { createMemoryTopologyStore } from './memory-store.js';

const ev = (domain: string, env: string, app: string, file: string): LogEvent => ({ ts: 1, domain, env, app, file, message: 'x' });
const result = (events: LogEvent[]): SearchResult => ({
  edges: events.map((event, i) => ({ cursor: String(i), event })),
  pageInfo: { hasNextPage: false },
  sources: [],
});

function store() {
  return createMemoryTopologyStore({
    domains: [{ name: 'shop' }],
    logstores: [
      { id: 'shop-pre', domain: 'shop', layout: 'env', env: 'pre', backend: 'b', location: {} },
      { id: 'shop-prod-cart', domain: 'shop', layout: 'app', env: 'prod', app: 'cart', backend: 'b', location: {} },
    ],
  });
}

describe('structure back-fill', () => {
  it('learns apps and files seen in env-layout logstores', async () => {
    const s = store();
    const n = await backfillFromResult(s, result([ev('shop', 'pre', 'cart', 'app.log'), ev('shop', 'pre', 'cart', 'error.log'), ev('shop', 'pre', 'user', 'app.log')]));
    expect(n).toBe(2);
    expect(await s.listApps('shop')).toEqual([
      { domain: 'shop', name: 'cart', files: ['app.log', 'error.log'] },
      { domain: 'shop', name: 'user', files: ['app.log'] },
    ]);
  });

  it('ignores results from app-layout logstores and names the topology cannot hold', async () => {
    const s = store();
    const n = await backfillFromResult(s, result([ev('shop', 'prod', 'orders', 'app.log'), ev('shop', 'pre', 'Bad/App', 'x.log')]));
    expect(n).toBe(0);
    expect(await s.listApps('shop')).toEqual([]);
  });

  it('writes nothing when everything is already known', async () => {
    const s = store();
    await s.addAppFiles('shop', 'cart', ['app.log']);
    expect(await backfillFromResult(s, result([ev('shop', 'pre', 'cart', 'app.log')]))).toBe(0);
  });
});
