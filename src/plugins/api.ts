// What a plugin's resolvers call to read logs: the query engine and the trace search, as the
// caller of the operation — the same scope, limits, plugin hooks and cancellation as `logs` and
// `trace`, over HTTP and graphql-ws alike.

import type { SearchInput, SearchResult } from '../query/request.js';
import { toQueryContext } from '../query/resolvers.js';
import type { GraphQLContext } from '../server/context.js';
import { traceDeps } from '../trace/resolvers.js';
import { searchTrace, type TraceResult } from '../trace/search.js';

export interface LogfedApi {
  /** One page of a search, as `logs` answers it (edges, pageInfo, per-source status). */
  search(input: SearchInput): Promise<SearchResult>;
  /** Follows a trace id across domains through gateway mappings, as `trace` does. */
  trace(args: { traceId: string; domain?: string; from?: number; to?: number }): Promise<TraceResult>;
}

export function logfed(ctx: GraphQLContext): LogfedApi {
  const qctx = toQueryContext(ctx);
  // Rejections reach each caller that awaits it; one that never calls must not see it unhandled.
  qctx.catch(() => undefined);
  return {
    search: async (input: SearchInput) => ctx.runtime.engine.search(await qctx, input),
    trace: async (args) => searchTrace(traceDeps(ctx, await qctx), args),
  };
}
