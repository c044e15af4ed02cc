// The embedded topology store: everything in process memory, the default when no database
// is configured. It follows the same contract as the MySQL store (test/topology-contract),
// so the planner and admin paths cannot tell them apart.

import type { App, Domain, GatewayMapping, Logstore, TopologyStore } from './types.js';
import {
  isLogstoreId,
  isName,
  isTraceId,
  logstoreKey,
  logstoreKeyConflict,
  unknownDomain,
  validateAppFiles,
  validateDomain,
  validateGatewayMapping,
  validateLogstore,
} from './validate.js';

export interface TopologySeed {
  domains?: readonly Domain[];
  logstores?: readonly Logstore[];
  apps?: readonly App[];
  gatewayMappings?: readonly GatewayMapping[];
}

// Lists come back in the order the MySQL store's ORDER BY gives (binary collation).
const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
function byTuple(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) {
    const c = byString(a[i], b[i]);
    if (c !== 0) return c;
  }
  return 0;
}
const logstoreTuple = (ls: Logstore) => [ls.domain, ls.env, ls.app ?? '', ls.file ?? ''];
const compareLogstores = (a: Logstore, b: Logstore) => byTuple(logstoreTuple(a), logstoreTuple(b));
const mappingTuple = (m: Omit<GatewayMapping, 'ts'>) => [m.fromDomain, m.fromTraceId, m.toDomain, m.toTraceId];
const mappingKey = (m: Omit<GatewayMapping, 'ts'>) => JSON.stringify(mappingTuple(m));
const compareMappings = (a: GatewayMapping, b: GatewayMapping) => byTuple(mappingTuple(a), mappingTuple(b));

/**
 * Builds an in-memory store. The seed goes through the same validation as later writes and
 * throws at once when it is wrong, so a bad demo or config seed fails at start.
 */
export function createMemoryTopologyStore(seed: TopologySeed = {}): TopologyStore {
  const domains = new Map<string, Domain>();
  const logstores = new Map<string, Logstore>();
  // domain -> app -> files
  const apps = new Map<string, Map<string, Set<string>>>();
  const mappings = new Map<string, GatewayMapping>();

  function requireDomain(field: string, name: string): void {
    if (!domains.has(name)) throw unknownDomain(field, name);
  }

  function upsertDomain(input: Domain): Domain {
    const domain = validateDomain(input);
    domains.set(domain.name, domain);
    return structuredClone(domain);
  }

  function upsertLogstore(input: Logstore): Logstore {
    const ls = validateLogstore(input);
    requireDomain('logstore.domain', ls.domain);
    const key = logstoreKey(ls);
    for (const other of logstores.values()) {
      if (other.id !== ls.id && logstoreKey(other) === key) throw logstoreKeyConflict(ls, other.id);
    }
    logstores.set(ls.id, ls);
    return structuredClone(ls);
  }

  function addAppFiles(domainName: string, appName: string, files: readonly string[]): void {
    const app = validateAppFiles(domainName, appName, files);
    requireDomain('app.domain', app.domain);
    let byApp = apps.get(app.domain);
    if (!byApp) apps.set(app.domain, (byApp = new Map()));
    let known = byApp.get(app.name);
    if (!known) byApp.set(app.name, (known = new Set()));
    for (const f of app.files) known.add(f);
  }

  function addGatewayMapping(input: GatewayMapping): void {
    const m = validateGatewayMapping(input);
    requireDomain('gatewayMapping.fromDomain', m.fromDomain);
    requireDomain('gatewayMapping.toDomain', m.toDomain);
    const existing = mappings.get(mappingKey(m));
    // Re-adding keeps the first mapping; it only learns a time it did not have.
    if (existing) {
      if (existing.ts === undefined && m.ts !== undefined) existing.ts = m.ts;
      return;
    }
    mappings.set(mappingKey(m), m);
  }

  const mappingsWhere = (match: (m: GatewayMapping) => boolean) =>
    [...mappings.values()].filter(match).sort(compareMappings).map((m) => ({ ...m }));

  for (const d of seed.domains ?? []) upsertDomain(d);
  for (const ls of seed.logstores ?? []) upsertLogstore(ls);
  for (const a of seed.apps ?? []) addAppFiles(a.domain, a.name, a.files);
  for (const m of seed.gatewayMappings ?? []) addGatewayMapping(m);

  return {
    async listDomains() {
      return [...domains.values()].sort((a, b) => byString(a.name, b.name)).map((d) => ({ ...d }));
    },
    async getDomains(names) {
      return names.map((n) => {
        const d = domains.get(n);
        return d && { ...d };
      });
    },
    async upsertDomain(domain) {
      return upsertDomain(domain);
    },
    async deleteDomain(name) {
      if (!domains.delete(name)) return false;
      for (const [id, ls] of logstores) if (ls.domain === name) logstores.delete(id);
      apps.delete(name);
      for (const [key, m] of mappings) if (m.fromDomain === name || m.toDomain === name) mappings.delete(key);
      return true;
    },

    async listLogstores(filter = {}) {
      const wanted = filter.domains && new Set(filter.domains);
      return [...logstores.values()]
        .filter((ls) => !wanted || wanted.has(ls.domain))
        .sort(compareLogstores)
        .map((ls) => structuredClone(ls));
    },
    async getLogstore(id) {
      const ls = isLogstoreId(id) ? logstores.get(id) : undefined;
      return ls && structuredClone(ls);
    },
    async upsertLogstore(ls) {
      return upsertLogstore(ls);
    },
    async deleteLogstore(id) {
      return logstores.delete(id);
    },

    async listApps(domain) {
      const byApp = isName(domain) ? apps.get(domain) : undefined;
      if (!byApp) return [];
      return [...byApp.entries()]
        .sort(([a], [b]) => byString(a, b))
        .map(([name, files]) => ({ domain, name, files: [...files].sort(byString) }));
    },
    async addAppFiles(domain, app, files) {
      addAppFiles(domain, app, files);
    },

    async addGatewayMapping(mapping) {
      addGatewayMapping(mapping);
    },
    async deleteGatewayMapping(mapping) {
      return mappings.delete(mappingKey(mapping));
    },
    async gatewayMappingsFor(domain, traceId) {
      if (!isName(domain) || !isTraceId(traceId)) return [];
      return mappingsWhere(
        (m) => (m.fromDomain === domain && m.fromTraceId === traceId) || (m.toDomain === domain && m.toTraceId === traceId),
      );
    },
    async gatewayMappingsByTrace(traceId) {
      if (!isTraceId(traceId)) return [];
      return mappingsWhere((m) => m.fromTraceId === traceId || m.toTraceId === traceId);
    },

    async close() {},
  };
}
