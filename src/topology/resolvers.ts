// GraphQL resolvers for browsing the topology and for the admin mutations that change it.
// Layout travels as ENV/APP/FILE in GraphQL and as env/app/file inside. Reads show only what
// the caller's scope holds — a domain outside it reads as one that does not exist — and every
// mutation needs the admin role and the domains it touches in scope.

import { canReadApp, canReadDomain, filterByScope, requireRole, requireWritableDomain } from '../auth/access.js';
import type { Layout as GqlLayout, Resolvers } from '../generated/graphql.js';
import { LogfedError } from '../errors/index.js';
import type { GraphQLContext } from '../server/context.js';
import type { GatewayMapping, Layout, Logstore } from './types.js';

const toLayout = (l: GqlLayout): Layout => l.toLowerCase() as Layout;
const fromLayout = (l: Layout): GqlLayout => l.toUpperCase() as GqlLayout;

const defined = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as T;

/** A store keyed by app is readable with its app; an env-layout store with its domain. */
const storeReadable = (ctx: GraphQLContext, ls: Logstore) => (ls.app === undefined ? canReadDomain(ctx, ls.domain) : canReadApp(ctx, ls.domain, ls.app));
const readableStores = (ctx: GraphQLContext, stores: readonly Logstore[]) => stores.filter((ls) => storeReadable(ctx, ls));
const readableStoresOf = async (ctx: GraphQLContext, domain: string) =>
  canReadDomain(ctx, domain) ? readableStores(ctx, await ctx.loaders.logstoresByDomain.load(domain)) : [];
const bothSidesReadable = (ctx: GraphQLContext, m: GatewayMapping) => canReadDomain(ctx, m.fromDomain) && canReadDomain(ctx, m.toDomain);

/** Admin and the store's domain in scope, for a change to an existing logstore id as well as a new one. */
async function requireWritableStore(ctx: GraphQLContext, id: string, domain: string): Promise<Logstore | undefined> {
  requireRole(ctx, 'admin');
  requireWritableDomain(ctx, domain);
  const existing = await ctx.runtime.topology.getLogstore(id);
  if (existing && !canReadDomain(ctx, existing.domain)) {
    throw new LogfedError('FORBIDDEN', `logstore ${id} belongs to a domain outside the caller's scope`);
  }
  return existing;
}

export const topologyResolvers: Resolvers = {
  Query: {
    domains: async (_p, _a, ctx) => filterByScope(ctx, await ctx.runtime.topology.listDomains(), (d) => d.name),
    domain: (_p, { name }, ctx) => (canReadDomain(ctx, name) ? ctx.loaders.domain.load(name).then((d) => d ?? null) : null),
    logstores: async (_p, { domain }, ctx) => (domain ? readableStoresOf(ctx, domain) : readableStores(ctx, await ctx.runtime.topology.listLogstores())),
    gatewayMappings: async (_p, { traceId, domain }, ctx) => {
      if (domain && !canReadDomain(ctx, domain)) return [];
      const found = domain ? await ctx.runtime.topology.gatewayMappingsFor(domain, traceId) : await ctx.runtime.topology.gatewayMappingsByTrace(traceId);
      return found.filter((m) => bothSidesReadable(ctx, m));
    },
  },
  Domain: {
    envs: async (d, _a, ctx) => [...new Set((await readableStoresOf(ctx, d.name)).map((ls) => ls.env))].sort(),
    logstores: (d, _a, ctx) => readableStoresOf(ctx, d.name),
    apps: async (d, _a, ctx) => {
      if (!canReadDomain(ctx, d.name)) return [];
      const [apps, stores] = await Promise.all([ctx.loaders.appsByDomain.load(d.name), ctx.loaders.logstoresByDomain.load(d.name)]);
      const files = new Map<string, Set<string>>();
      const add = (app: string, fs: readonly string[]) => {
        const set = files.get(app) ?? new Set<string>();
        for (const f of fs) set.add(f);
        files.set(app, set);
      };
      for (const a of apps) add(a.name, a.files);
      for (const ls of stores) if (ls.app) add(ls.app, ls.file ? [ls.file] : []);
      return [...files.entries()]
        .filter(([app]) => canReadApp(ctx, d.name, app))
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([name, fs]) => ({ domain: d.name, name, files: [...fs].sort() }));
    },
  },
  Logstore: {
    layout: (ls) => fromLayout(ls.layout),
    active: (ls) => ls.active !== false,
    sensitiveFields: (ls) => ls.sensitiveFields ?? [],
  },
  Mutation: {
    upsertDomain: (_p, { input }, ctx) => {
      requireRole(ctx, 'admin');
      requireWritableDomain(ctx, input.name);
      return ctx.runtime.topology.upsertDomain(defined({ name: input.name, description: input.description ?? undefined }));
    },
    deleteDomain: (_p, { name }, ctx) => {
      requireRole(ctx, 'admin');
      requireWritableDomain(ctx, name);
      return ctx.runtime.topology.deleteDomain(name).finally(() => ctx.runtime.security.sensitive.invalidate());
    },
    upsertLogstore: async (_p, { input }, ctx) => {
      await requireWritableStore(ctx, input.id, input.domain);
      const ls: Logstore = defined({
        ...input,
        layout: toLayout(input.layout),
        app: input.app ?? undefined,
        file: input.file ?? undefined,
        location: input.location as Record<string, unknown>,
        minTs: input.minTs ?? undefined,
        maxTs: input.maxTs ?? undefined,
        active: input.active ?? undefined,
        sensitiveFields: input.sensitiveFields ?? undefined,
      });
      return ctx.runtime.topology.upsertLogstore(ls).finally(() => ctx.runtime.security.sensitive.invalidate());
    },
    deleteLogstore: async (_p, { id }, ctx) => {
      requireRole(ctx, 'admin');
      // An id outside the scope answers as an unknown id does: nothing to delete.
      const existing = await ctx.runtime.topology.getLogstore(id);
      if (!existing || !canReadDomain(ctx, existing.domain)) return false;
      return ctx.runtime.topology.deleteLogstore(id).finally(() => ctx.runtime.security.sensitive.invalidate());
    },
    addApp: async (_p, { input }, ctx) => {
      requireRole(ctx, 'admin');
      requireWritableDomain(ctx, input.domain);
      await ctx.runtime.topology.addAppFiles(input.domain, input.name, input.files ?? []);
      const app = (await ctx.runtime.topology.listApps(input.domain)).find((a) => a.name === input.name);
      return app ?? { domain: input.domain, name: input.name, files: input.files ?? [] };
    },
    addGatewayMapping: async (_p, { input }, ctx) => {
      requireRole(ctx, 'admin');
      requireWritableDomain(ctx, input.fromDomain, input.toDomain);
      await ctx.runtime.topology.addGatewayMapping(input);
      return input;
    },
    deleteGatewayMapping: (_p, { input }, ctx) => {
      requireRole(ctx, 'admin');
      requireWritableDomain(ctx, input.fromDomain, input.toDomain);
      return ctx.runtime.topology.deleteGatewayMapping(input);
    },
  },
};
