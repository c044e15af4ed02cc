// trace(traceId, domain, from, to): the cross-domain trace search over the query engine.

import type { Resolvers } from '../generated/graphql.js';
import { toQueryContext } from '../query/resolvers.js';
import { searchTrace } from './search.js';

export const traceResolvers: Resolvers = {
  Query: {
    trace: async (_p, { traceId, domain, from, to }, ctx) => {
      const qctx = toQueryContext(ctx);
      const result = await searchTrace(
        {
          readableDomains: () => qctx.topology.domainNames(),
          gatewayMappingsFor: (d, t) => ctx.runtime.topology.gatewayMappingsFor(d, t),
          search: (input) => ctx.runtime.engine.search(qctx, input),
        },
        { traceId, domain: domain ?? undefined, from: from ?? undefined, to: to ?? undefined },
      );
      return result;
    },
  },
};
