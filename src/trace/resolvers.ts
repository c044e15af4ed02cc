// trace(traceId, domain, from, to): the cross-domain trace search over the query engine, as its
// caller: only domains in the caller's scope are started from, only mappings whose two sides
// are both in scope are followed, and each hop's search is cut to the scope by the engine.

import { canReadDomain } from '../auth/access.js';
import type { Resolvers } from '../generated/graphql.js';
import type { QueryContext } from '../query/request.js';
import { toQueryContext } from '../query/resolvers.js';
import type { GraphQLContext } from '../server/context.js';
import { searchTrace, type TraceDeps } from './search.js';

/** What the trace search reads, for one caller; plugins' trace calls use it too (plugins/api.ts). */
export function traceDeps(ctx: GraphQLContext, qctx: QueryContext): TraceDeps {
  return {
    readableDomains: async () => (await qctx.topology.domainNames()).filter((d) => canReadDomain(ctx, d)),
    gatewayMappingsFor: (d, t) => ctx.runtime.topology.gatewayMappingsFor(d, t),
    search: (input) => ctx.runtime.engine.search(qctx, input),
  };
}

export const traceResolvers: Resolvers = {
  Query: {
    trace: async (_p, { traceId, domain, from, to }, ctx) =>
      searchTrace(traceDeps(ctx, await toQueryContext(ctx)), {
        traceId,
        domain: domain ?? undefined,
        from: from ?? undefined,
        to: to ?? undefined,
      }),
  },
};
