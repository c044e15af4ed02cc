// GraphQL resolvers for browsing the topology and for the admin mutations that change it.
// Layout travels as ENV/APP/FILE in GraphQL and as env/app/file inside.

import type { Layout as GqlLayout, Resolvers } from '../generated/graphql.js';
import type { Layout, Logstore } from './types.js';

const toLayout = (l: GqlLayout): Layout => l.toLowerCase() as Layout;
const fromLayout = (l: Layout): GqlLayout => l.toUpperCase() as GqlLayout;

const defined = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as T;

export const topologyResolvers: Resolvers = {
  Query: {
    domains: (_p, _a, ctx) => ctx.runtime.topology.listDomains(),
    domain: (_p, { name }, ctx) => ctx.loaders.domain.load(name).then((d) => d ?? null),
    logstores: (_p, { domain }, ctx) => (domain ? ctx.loaders.logstoresByDomain.load(domain) : ctx.runtime.topology.listLogstores()),
    gatewayMappings: (_p, { traceId, domain }, ctx) =>
      domain ? ctx.runtime.topology.gatewayMappingsFor(domain, traceId) : ctx.runtime.topology.gatewayMappingsByTrace(traceId),
  },
  Domain: {
    envs: async (d, _a, ctx) => [...new Set((await ctx.loaders.logstoresByDomain.load(d.name)).map((ls) => ls.env))].sort(),
    logstores: (d, _a, ctx) => ctx.loaders.logstoresByDomain.load(d.name),
    apps: async (d, _a, ctx) => {
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
    upsertDomain: (_p, { input }, ctx) => ctx.runtime.topology.upsertDomain(defined({ name: input.name, description: input.description ?? undefined })),
    deleteDomain: (_p, { name }, ctx) => ctx.runtime.topology.deleteDomain(name),
    upsertLogstore: (_p, { input }, ctx) => {
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
      return ctx.runtime.topology.upsertLogstore(ls);
    },
    deleteLogstore: (_p, { id }, ctx) => ctx.runtime.topology.deleteLogstore(id),
    addApp: async (_p, { input }, ctx) => {
      await ctx.runtime.topology.addAppFiles(input.domain, input.name, input.files ?? []);
      const app = (await ctx.runtime.topology.listApps(input.domain)).find((a) => a.name === input.name);
      return app ?? { domain: input.domain, name: input.name, files: input.files ?? [] };
    },
    addGatewayMapping: async (_p, { input }, ctx) => {
      await ctx.runtime.topology.addGatewayMapping(input);
      return input;
    },
    deleteGatewayMapping: (_p, { input }, ctx) => ctx.runtime.topology.deleteGatewayMapping(input),
  },
};
