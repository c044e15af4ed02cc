// The GraphQL face of the query engine: `logs(query, first, after, strategy)` becomes a
// SearchInput, the request's context becomes a QueryContext (topology through the request's
// DataLoaders, the caller's signal, identity and scope resolved to exact names), and the
// engine's result becomes a Relay connection that also says which batch the page covered.

import type { LogConnection, LogQuery, Resolvers, SearchStrategy } from '../generated/graphql.js';
import { queryScopeOf } from '../auth/access.js';
import type { GraphQLContext } from '../server/context.js';
import type { Edge, QueryContext, SearchInput } from './request.js';
import { topologyReader } from './topology-reader.js';

/** What `logs` resolves to; `patterns` is computed from the edges only when a client selects it. */
export type LogConnectionModel = Omit<LogConnection, 'edges' | 'patterns'> & { edges: Edge[] };

/** Every search of an operation runs as its caller: same scope, signal and user. */
export async function toQueryContext(ctx: GraphQLContext): Promise<QueryContext> {
  const topology = topologyReader(ctx.runtime.topology, ctx.loaders);
  return {
    topology,
    adapters: (backend) => ctx.runtime.adapters.get(backend),
    signal: ctx.signal,
    user: ctx.user,
    scope: await queryScopeOf(ctx, topology),
  };
}

const list = (xs: readonly string[] | null | undefined) => (xs && xs.length ? [...xs] : undefined);

export function toSearchInput(q: LogQuery, first?: number | null, after?: string | null, strategy?: SearchStrategy | null): SearchInput {
  return {
    domains: list(q.domains),
    envs: list(q.envs),
    apps: list(q.apps),
    files: list(q.files),
    keywords: q.keywords ?? undefined,
    levels: list(q.levels),
    traceId: q.traceId ?? undefined,
    from: q.from ?? undefined,
    to: q.to ?? undefined,
    regex: q.regex ?? undefined,
    order: q.order === 'ASC' ? 'asc' : 'desc',
    first: first ?? undefined,
    after: after ?? undefined,
    // The engine's own default is ALL (what internal callers rely on); the field's is AFFINITY.
    strategy: strategy === 'ALL' ? 'all' : 'affinity',
  };
}

export const logsResolvers: Resolvers = {
  LogEdge: {
    node: (edge) => edge.event,
  },
  Query: {
    logs: async (_p, { query, first, after, strategy }, ctx) => {
      const result = await ctx.runtime.engine.search(await toQueryContext(ctx), toSearchInput(query, first, after, strategy));
      const batch = result.batches ?? { current: 1, total: 1 };
      return {
        // Edges go out as the engine made them: each cursor is encoded only if a client selects it.
        edges: result.edges,
        pageInfo: { hasNextPage: result.pageInfo.hasNextPage, endCursor: result.pageInfo.endCursor ?? null },
        sources: result.sources,
        batch: batch.current,
        batches: batch.total,
        hasMoreBatches: batch.current < batch.total,
      };
    },
  },
};
