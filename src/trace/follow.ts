// Finds every (domain, traceId) a request went through: starting from the given trace id,
// gateway mappings are followed transitively in both directions, with cycles cut and a cap on
// how far the walk may go, so a bad mapping table cannot make one query search forever.

import type { GatewayMapping } from '../topology/types.js';

export interface TraceNode {
  domain: string;
  traceId: string;
  /** How many gateway hops away from a starting node (0 for a start). */
  distance: number;
}

export interface MappingReader {
  gatewayMappingsFor(domain: string, traceId: string): Promise<GatewayMapping[]>;
}

export const MAX_TRACE_NODES = 64;

const keyOf = (domain: string, traceId: string) => `${domain}\u0000${traceId}`;

/** Breadth-first over the mapping graph; the result is in discovery order. */
export async function followMappings(
  starts: ReadonlyArray<{ domain: string; traceId: string }>,
  mappings: MappingReader,
  maxNodes = MAX_TRACE_NODES,
): Promise<{ nodes: TraceNode[]; truncated: boolean }> {
  const seen = new Set<string>();
  const nodes: TraceNode[] = [];
  let frontier: TraceNode[] = [];
  for (const s of starts) {
    const k = keyOf(s.domain, s.traceId);
    if (seen.has(k)) continue;
    seen.add(k);
    const node = { domain: s.domain, traceId: s.traceId, distance: 0 };
    nodes.push(node);
    frontier.push(node);
  }
  let truncated = false;
  while (frontier.length > 0) {
    const lists = await Promise.all(frontier.map((n) => mappings.gatewayMappingsFor(n.domain, n.traceId)));
    const next: TraceNode[] = [];
    frontier.forEach((n, i) => {
      for (const m of lists[i]!) {
        const neighbours = [
          { domain: m.fromDomain, traceId: m.fromTraceId },
          { domain: m.toDomain, traceId: m.toTraceId },
        ];
        for (const nb of neighbours) {
          const k = keyOf(nb.domain, nb.traceId);
          if (seen.has(k)) continue;
          if (nodes.length >= maxNodes) {
            truncated = true;
            continue;
          }
          seen.add(k);
          const node = { ...nb, distance: n.distance + 1 };
          nodes.push(node);
          next.push(node);
        }
      }
    });
    frontier = next;
  }
  return { nodes, truncated };
}
