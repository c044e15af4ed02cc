// orderTrail's search: the order's lines in the plugin's domains by keyword through the query
// engine, then the trace search from each trace id they carry, merged into one trail whose hops
// are in time order. It reads only through LogfedApi, so scope and hooks apply as for `logs`.

import { badInput } from '../../src/errors/index.js';
import type { LogEvent, LogfedApi, TraceHop } from '../../src/plugins/index.js';
import type { SourceStatus } from '../../src/query/request.js';

export interface OrderTrail {
  orderId: string;
  lines: LogEvent[];
  traceIds: string[];
  hops: TraceHop[];
  failedSources: SourceStatus[];
  truncated: boolean;
}

export const MAX_LINES = 1000;
export const MAX_TRACES = 20;
export const DEFAULT_SPAN_MS = 24 * 3600_000;

// Order numbers are single keyword terms: no spaces or quotes that would change the search.
const ORDER_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

const failed = (s: SourceStatus) => s.status === 'ERROR' || s.status === 'TIMEOUT';

export async function findOrderTrail(
  api: LogfedApi,
  args: { orderId: string; domains: readonly string[]; from?: number; to?: number; now?: number },
): Promise<OrderTrail | null> {
  const { orderId } = args;
  if (!ORDER_ID.test(orderId)) throw badInput(`orderId must be one term of letters, digits and . _ : - (at most 64), got ${JSON.stringify(orderId).slice(0, 80)}`);
  const to = args.to ?? (args.from !== undefined ? args.from + DEFAULT_SPAN_MS : (args.now ?? Date.now()));
  const from = args.from ?? to - DEFAULT_SPAN_MS;

  const found = await api.search({ domains: [...args.domains], keywords: `"${orderId}"`, from, to, order: 'asc', first: MAX_LINES });
  const lines = found.edges.map((e) => e.event);
  const sources = [...found.sources];

  const starts = new Map<string, { domain: string; traceId: string }>();
  for (const e of lines) if (e.traceId) starts.set(`${e.domain}\u0000${e.traceId}`, { domain: e.domain, traceId: e.traceId });
  const followed = [...starts.values()].slice(0, MAX_TRACES);
  const traces = await Promise.all(followed.map((s) => api.trace({ traceId: s.traceId, domain: s.domain, from, to })));

  const hops = new Map<string, TraceHop>();
  for (const t of traces) {
    sources.push(...t.sources);
    for (const hop of t.hops) hops.set(`${hop.domain}\u0000${hop.traceId}`, hop);
  }
  const failedSources = [...new Map(sources.filter(failed).map((s) => [s.logstore, s])).values()];
  if (lines.length === 0 && failedSources.length === 0) return null;

  return {
    orderId,
    lines,
    traceIds: [...new Set(followed.map((s) => s.traceId))],
    hops: [...hops.values()].sort((a, b) => (a.first ?? Infinity) - (b.first ?? Infinity) || (a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0)),
    failedSources,
    truncated: found.pageInfo.hasNextPage || starts.size > MAX_TRACES || traces.some((t) => t.truncated),
  };
}
