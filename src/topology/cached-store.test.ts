import { describe, expect, it } from 'vitest';
import { LogfedError } from '../errors/index.js';
import { createCachedTopologyStore } from './cached-store.js';
import { createMemoryTopologyStore } from './memory-store.js';
import type { TopologyStore } from './types.js';

/** A store whose every call fails like a lost MySQL connection while `down` is set. */
function flaky(inner: TopologyStore) {
  const state = { down: false };
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || prop === 'close') return value;
      return (...args: unknown[]) => {
        if (state.down) return Promise.reject(new LogfedError('BACKEND_UNAVAILABLE', 'connect ECONNREFUSED 127.0.0.1:3306'));
        return value.apply(target, args);
      };
    },
  });
  return { store, state };
}

describe('cached topology store', () => {
  it('serves the last good reads while the store fails, refuses writes clearly, and reads the store again once it is back', async () => {
    let now = 0;
    const { store, state } = flaky(createMemoryTopologyStore());
    const cached = createCachedTopologyStore(store, { retryMs: 1000, now: () => now, name: 'the topology store (MySQL)' });
    await cached.upsertDomain({ name: 'shop' });
    expect((await cached.listDomains()).map((d) => d.name)).toEqual(['shop']);

    state.down = true;
    expect((await cached.listDomains()).map((d) => d.name)).toEqual(['shop']);
    expect(cached.serving).toBe('cache');
    await expect(cached.upsertDomain({ name: 'pay' })).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE', message: expect.stringMatching(/upsertDomain failed: the topology store \(MySQL\) is unavailable/) });
    // a read never made before has nothing to fall back on
    await expect(cached.listApps('shop')).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });

    state.down = false;
    await store.upsertDomain({ name: 'pay' }); // changed behind the cache
    expect((await cached.listDomains()).map((d) => d.name)).toEqual(['shop']); // still within retryMs
    now += 1000;
    expect((await cached.listDomains()).map((d) => d.name).sort()).toEqual(['pay', 'shop']);
    expect(cached.serving).toBe('store');
  });

  it('still serves reads made before a change when the store goes down after it', async () => {
    const { store, state } = flaky(createMemoryTopologyStore());
    const cached = createCachedTopologyStore(store, { retryMs: 1000, now: () => 0 });
    await cached.upsertDomain({ name: 'shop' });
    expect((await cached.listDomains()).map((d) => d.name)).toEqual(['shop']);
    // A change (a structure back-fill, say) lands, then the store goes away before the next read.
    await cached.upsertDomain({ name: 'pay' });
    state.down = true;
    expect((await cached.listDomains()).map((d) => d.name)).toEqual(['shop']);
    expect(cached.serving).toBe('cache');
  });

  it('passes refusals that are not outages through unchanged', async () => {
    const cached = createCachedTopologyStore(createMemoryTopologyStore());
    await expect(cached.upsertLogstore({ id: 'x', domain: 'nope', layout: 'env', env: 'prod', backend: 'b', location: {} })).rejects.not.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });
});
