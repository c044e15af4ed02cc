// The planner's view of the topology (TopologyReader) over the topology store and its
// per-request DataLoaders, so all the reads of one request are batched and cached together.
// The GraphQL layer builds one per request and passes it in the query context.

import type DataLoader from 'dataloader';
import { LogfedError } from '../errors/index.js';
import { createTopologyLoaders, type TopologyLoaders } from '../topology/loaders.js';
import type { TopologyStore } from '../topology/types.js';
import type { TopologyReader } from './request.js';

export function topologyReader(store: TopologyStore, loaders: TopologyLoaders = createTopologyLoaders(store)): TopologyReader {
  return {
    domainNames: async () => (await store.listDomains()).map((d) => d.name),
    logstoresByDomains: async (domains) => loadAll(loaders.logstoresByDomain, domains),
    appsByDomains: async (domains) => loadAll(loaders.appsByDomain, domains),
  };
}

/** Loads a list per key and concatenates them; a key that failed fails the whole read. */
async function loadAll<T>(loader: DataLoader<string, T[]>, keys: readonly string[]): Promise<T[]> {
  const lists = await loader.loadMany(keys);
  const failed = lists.find((l): l is Error => l instanceof Error);
  if (failed) throw failed instanceof LogfedError ? failed : new LogfedError('SERVICE_UNAVAILABLE', `topology read failed: ${failed.message}`, { cause: failed });
  return (lists as T[][]).flat();
}
