import { describe, expect, it } from 'vitest';
import type { TopologyReader } from '../query/request.js';
import type { Logstore } from '../topology/types.js';
import { compileScope, globMatcher, resolveQueryScope } from './scope.js';

const store = (domain: string, app?: string): Logstore => ({
  id: `${domain}-${app ?? 'env'}`,
  domain,
  layout: app ? 'app' : 'env',
  env: 'prod',
  ...(app ? { app } : {}),
  backend: 'b',
  location: {},
});

function reader(stores: Logstore[], learned: Array<{ domain: string; name: string }> = []): TopologyReader {
  return {
    domainNames: async () => [...new Set(stores.map((s) => s.domain))],
    logstoresByDomains: async (ds) => stores.filter((s) => ds.includes(s.domain)),
    appsByDomains: async (ds) => learned.filter((a) => ds.includes(a.domain)).map((a) => ({ ...a, files: [] })),
  };
}

describe('scope patterns', () => {
  it('matches names, * anywhere, and treats other characters literally', () => {
    const m = globMatcher(['shop-*', 'pay', '*-audit']);
    expect(['shop-web', 'shop-', 'pay', 'x-audit'].every(m)).toBe(true);
    expect(['shopweb', 'payx', 'pay.audit2', 'pa'].some(m)).toBe(false);
    // '.' is not a regex wildcard here
    expect(globMatcher(['a.b'])('axb')).toBe(false);
  });

  it('limits apps only in the domains an apps key matches', () => {
    const s = compileScope({ domains: ['shop-*', 'pay'], apps: { 'shop-*': ['checkout-*'] } });
    expect(s.unrestricted).toBe(false);
    expect(s.app('shop-web', 'checkout-api')).toBe(true);
    expect(s.app('shop-web', 'cart')).toBe(false);
    expect(s.app('pay', 'anything')).toBe(true);
    expect(s.app('ops', 'anything')).toBe(false);
    expect(s.limitsApps('pay')).toBe(false);
    expect(compileScope({ domains: ['*'] }).unrestricted).toBe(true);
    expect(compileScope({ domains: [] }).domain('shop')).toBe(false);
  });
});

describe('resolveQueryScope', () => {
  const stores = [store('shop-web', 'checkout-api'), store('shop-web', 'cart'), store('shop-eu'), store('pay', 'core'), store('ops', 'x')];

  it('is undefined for an unrestricted scope, so the planner cuts nothing', async () => {
    expect(await resolveQueryScope(compileScope({ domains: ['*'] }), reader(stores))).toBeUndefined();
  });

  it('names the matching domains and expands app patterns over known apps, keeping plain names', async () => {
    const scope = compileScope({ domains: ['shop-*', 'pay'], apps: { 'shop-*': ['checkout-*', 'billing'] } });
    const resolved = await resolveQueryScope(scope, reader(stores, [{ domain: 'shop-eu', name: 'checkout-eu' }]));
    expect(resolved).toEqual({
      domains: ['pay', 'shop-eu', 'shop-web'],
      apps: { 'shop-eu': ['billing', 'checkout-eu'], 'shop-web': ['billing', 'checkout-api'] },
    });
  });

  it('gives an empty domain list when nothing matches', async () => {
    expect(await resolveQueryScope(compileScope({ domains: ['nope-*'] }), reader(stores))).toEqual({ domains: [] });
  });
});
