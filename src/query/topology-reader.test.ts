import { describe, expect, it } from 'vitest';
import { createMemoryTopologyStore } from '../topology/memory-store.js';
import type { TopologyStore } from '../topology/types.js';
import { topologyReader } from './topology-reader.js';

const seed = {
  domains: [{ name: 'shop' }, { name: 'ops' }],
  logstores: [
    { id: 'shop-prod', domain: 'shop', layout: 'env' as const, env: 'prod', backend: 'files', location: {} },
    { id: 'ops-api', domain: 'ops', layout: 'app' as const, env: 'prod', app: 'api', backend: 'sql', location: {} },
  ],
  apps: [{ domain: 'shop', name: 'cart', files: ['app.log'] }],
};

describe('topologyReader', () => {
  it('reads domains, logstores and apps of several domains through the store', async () => {
    const reader = topologyReader(createMemoryTopologyStore(seed));
    expect((await reader.domainNames()).sort()).toEqual(['ops', 'shop']);
    expect((await reader.logstoresByDomains(['shop', 'ops'])).map((s) => s.id).sort()).toEqual(['ops-api', 'shop-prod']);
    expect((await reader.appsByDomains!(['shop', 'ops'])).map((a) => a.name)).toEqual(['cart']);
  });

  it('batches the logstore reads of one request into one store call', async () => {
    const store = createMemoryTopologyStore(seed);
    let calls = 0;
    const counting: TopologyStore = { ...store, listLogstores: (f) => (calls++, store.listLogstores(f)) };
    const reader = topologyReader(counting);
    await Promise.all([reader.logstoresByDomains(['shop']), reader.logstoresByDomains(['ops', 'shop'])]);
    expect(calls).toBe(1);
  });

  it('fails the read when a domain read fails', async () => {
    const store = createMemoryTopologyStore(seed);
    const broken: TopologyStore = { ...store, listApps: async () => Promise.reject(new Error('db down')) };
    await expect(topologyReader(broken).appsByDomains!(['shop'])).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });
});
