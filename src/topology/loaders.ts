// Per-request DataLoaders over the topology store: the planner and the GraphQL resolvers ask
// for domains, logstores and apps one key at a time, and each tick turns into one store call.
// Create a fresh set per request so nothing cached outlives an admin change.

import DataLoader from 'dataloader';
import type { App, Domain, Logstore, TopologyStore } from './types.js';

export interface TopologyLoaders {
  /** By domain name; undefined for an unknown domain. */
  domain: DataLoader<string, Domain | undefined>;
  /** By domain name; [] for a domain without logstores. */
  logstoresByDomain: DataLoader<string, Logstore[]>;
  /** By domain name; [] for a domain without known apps. */
  appsByDomain: DataLoader<string, App[]>;
}

function groupBy<T>(keys: readonly string[], items: readonly T[], keyOf: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>(keys.map((k) => [k, []]));
  for (const item of items) groups.get(keyOf(item))?.push(item);
  return keys.map((k) => groups.get(k)!);
}

export function createTopologyLoaders(store: TopologyStore): TopologyLoaders {
  return {
    domain: new DataLoader<string, Domain | undefined>((names) => store.getDomains(names), { name: 'topology.domain' }),
    logstoresByDomain: new DataLoader<string, Logstore[]>(
      async (domains) => groupBy(domains, await store.listLogstores({ domains }), (ls) => ls.domain),
      { name: 'topology.logstoresByDomain' },
    ),
    // The store answers apps one domain at a time, so a failure stays with the domain it hit.
    appsByDomain: new DataLoader<string, App[]>(
      async (domains) => {
        const settled = await Promise.allSettled(domains.map((d) => store.listApps(d)));
        return settled.map((s) => (s.status === 'fulfilled' ? s.value : s.reason instanceof Error ? s.reason : new Error(String(s.reason))));
      },
      { name: 'topology.appsByDomain' },
    ),
  };
}
