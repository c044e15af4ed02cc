// Runs the shared TopologyStore contract on the in-memory store, plus what only it has: a seed.

import { describe, expect, it } from 'vitest';
import { defineTopologyStoreContract } from '../../test/topology-contract/index.js';
import { createMemoryTopologyStore } from './memory-store.js';

defineTopologyStoreContract('memory', async () => ({ store: createMemoryTopologyStore(), cleanup: async () => {} }));

describe('createMemoryTopologyStore seed', () => {
  it('loads a seed through the same validation as later writes', async () => {
    const store = createMemoryTopologyStore({
      domains: [{ name: 'shop' }, { name: 'pay' }],
      logstores: [{ id: 'shop-prod', domain: 'shop', layout: 'env', env: 'prod', backend: 'files', location: { glob: '*.log' } }],
      apps: [{ domain: 'shop', name: 'cart', files: ['app.log'] }],
      gatewayMappings: [{ fromDomain: 'shop', fromTraceId: 't1', toDomain: 'pay', toTraceId: 'p1' }],
    });
    expect((await store.listLogstores()).map((ls) => ls.id)).toStrictEqual(['shop-prod']);
    expect(await store.listApps('shop')).toStrictEqual([{ domain: 'shop', name: 'cart', files: ['app.log'] }]);
    expect(await store.gatewayMappingsByTrace('p1')).toHaveLength(1);
  });

  it('throws at once on a seed that names a domain it does not define', () => {
    expect(() =>
      createMemoryTopologyStore({
        logstores: [{ id: 'x', domain: 'ghost', layout: 'env', env: 'prod', backend: 'files', location: {} }],
      }),
    ).toThrow(/logstore\.domain: domain "ghost" does not exist/);
  });
});
