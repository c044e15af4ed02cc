// trace(traceId): which domains a request crossed and what each logged. Every domain the
// caller may read is searched for the raw trace id, gateway mappings lead to the ids it had
// elsewhere, and each (domain, id) is searched concurrently for its own lines.

import type { SearchInput, SearchResult, SourceStatus } from '../query/request.js';
import type { LogEvent } from '../core/event.js';
import type { GatewayMapping } from '../topology/types.js';
import { followMappings, type TraceNode } from './follow.js';

export interface TraceHop {
  domain: string;
  traceId: string;
  events: LogEvent[];
  first?: number;
  last?: number;
}

export interface TraceResult {
  traceId: string;
  hops: TraceHop[];
  sources: SourceStatus[];
  /** True when the mapping walk hit its node cap. */
  truncated: boolean;
}

export interface TraceDeps {
  /** Domains this caller may read. */
  readableDomains(): Promise<string[]>;
  gatewayMappingsFor(domain: string, traceId: string): Promise<GatewayMapping[]>;
  search(input: SearchInput): Promise<SearchResult>;
}

export const MAX_EVENTS_PER_HOP = 1000;
export const DEFAULT_TRACE_SPAN_MS = 24 * 3600_000;

export async function searchTrace(
  deps: TraceDeps,
  args: { traceId: string; domain?: string; from?: number; to?: number },
): Promise<TraceResult> {
  const readable = await deps.readableDomains();
  const readableSet = new Set(readable);
  const to = args.to ?? (args.from !== undefined ? args.from + DEFAULT_TRACE_SPAN_MS : Date.now());
  const from = args.from ?? to - DEFAULT_TRACE_SPAN_MS;

  // Without a domain the id could belong to any of them: start from every readable domain.
  const starts = (args.domain ? [args.domain] : readable).map((domain) => ({ domain, traceId: args.traceId }));
  const scoped = {
    gatewayMappingsFor: async (domain: string, traceId: string) =>
      (await deps.gatewayMappingsFor(domain, traceId)).filter((m) => readableSet.has(m.fromDomain) && readableSet.has(m.toDomain)),
  };
  const { nodes, truncated } = await followMappings(starts, scoped);

  const results = await Promise.all(
    nodes.map(async (node) => ({
      node,
      result: await deps.search({ domains: [node.domain], traceId: node.traceId, from, to, order: 'asc', first: MAX_EVENTS_PER_HOP }),
    })),
  );

  const hops: TraceHop[] = [];
  const sources: SourceStatus[] = [];
  for (const { node, result } of results) {
    sources.push(...result.sources);
    const events = result.edges.map((e) => e.event);
    if (events.length === 0 && !keepEmpty(node, args.domain)) continue;
    hops.push({ domain: node.domain, traceId: node.traceId, events, first: events[0]?.ts, last: events.at(-1)?.ts });
  }
  hops.sort((a, b) => (a.first ?? Infinity) - (b.first ?? Infinity) || (a.domain < b.domain ? -1 : 1));
  return { traceId: args.traceId, hops, sources, truncated };
}

/** A hop reached through a mapping, or the domain the caller named, is shown even when silent. */
function keepEmpty(node: TraceNode, namedDomain?: string): boolean {
  return node.distance > 0 || node.domain === namedDomain;
}
