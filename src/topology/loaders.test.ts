// Checks that the per-request loaders batch: many loads in one tick cost one store call,
// each key gets its own answer, and a failed call rejects every caller waiting on it.

import { describe, expect, it, vi } from 'vitest';
import { LogfedError } from '../errors/index.js';
import { createTopologyLoaders } from './loaders.js';
import { createMemoryTopologyStore } from './memory-store.js';
import type { TopologyStore } from './types.js';

function seeded(): TopologyStore {
  return createMemoryTopologyStore({
    domains: [{ name: 'shop' }, { name: 'pay' }, { name: 'empty' }],
    logstores: [
      { id: 'shop-prod', domain: 'shop', layout: 'env', env: 'prod', backend: 'b', location: {} },
      { id: 'shop-pre', domain: 'shop', layout: 'env', env: 'pre', backend: 'b', location: {} },
      { id: 'pay-prod', domain: 'pay', layout: 'app', env: 'prod', app: 'ledger', backend: 'b', location: {} },
    ],
    apps: [{ domain: 'shop', name: 'cart', files: ['app.log'] }],
  });
}

describe('createTopologyLoaders', () => {
  it('loads many domains with one getDomains call, undefined for unknown ones', async () => {
    const store = seeded();
    const spy = vi.spyOn(store, 'getDomains');
    const loaders = createTopologyLoaders(store);
    const got = await Promise.all(['shop', 'ghost', 'pay', 'shop'].map((n) => loaders.domain.load(n)));
    expect(got).toStrictEqual([{ name: 'shop' }, undefined, { name: 'pay' }, { name: 'shop' }]);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy.mock.calls[0][0]).toStrictEqual(['shop', 'ghost', 'pay']);
  });

  it('groups logstores per domain from one listLogstores({ domains }) call', async () => {
    const store = seeded();
    const spy = vi.spyOn(store, 'listLogstores');
    const loaders = createTopologyLoaders(store);
    const [shop, pay, empty, ghost] = await Promise.all(['shop', 'pay', 'empty', 'ghost'].map((d) => loaders.logstoresByDomain.load(d)));
    expect(shop.map((ls) => ls.id)).toStrictEqual(['shop-pre', 'shop-prod']);
    expect(pay.map((ls) => ls.id)).toStrictEqual(['pay-prod']);
    expect(empty).toStrictEqual([]);
    expect(ghost).toStrictEqual([]);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy.mock.calls[0][0]).toStrictEqual({ domains: ['shop', 'pay', 'empty', 'ghost'] });

    // Cached for the rest of the request.
    await loaders.logstoresByDomain.load('shop');
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it('rejects every caller of a batch whose store call failed', async () => {
    const store = seeded();
    const boom = new LogfedError('BACKEND_UNAVAILABLE', 'database down');
    vi.spyOn(store, 'listLogstores').mockRejectedValue(boom);
    const loaders = createTopologyLoaders(store);
    const settled = await Promise.allSettled(['shop', 'pay'].map((d) => loaders.logstoresByDomain.load(d)));
    expect(settled).toStrictEqual([
      { status: 'rejected', reason: boom },
      { status: 'rejected', reason: boom },
    ]);
  });

  it('answers apps per domain, and a failure for one domain stays with it', async () => {
    const store = seeded();
    const real = store.listApps.bind(store);
    const spy = vi.spyOn(store, 'listApps').mockImplementation(async (d) => {
      if (d === 'pay') throw new LogfedError('TIMEOUT', 'slow');
      return real(d);
    });
    const loaders = createTopologyLoaders(store);
    const [shop, pay, shopAgain] = await Promise.allSettled(['shop', 'pay', 'shop'].map((d) => loaders.appsByDomain.load(d)));
    expect(shop).toStrictEqual({ status: 'fulfilled', value: [{ domain: 'shop', name: 'cart', files: ['app.log'] }] });
    expect(shopAgain).toStrictEqual(shop);
    expect(pay).toMatchObject({ status: 'rejected', reason: { code: 'TIMEOUT' } });
    expect(spy).toHaveBeenCalledTimes(2);
  });
});
