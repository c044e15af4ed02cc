// Runs the plugins' trace mappers over events of their domains — searched results, live events,
// lines already on disk at start — and records the gateway mappings they find in the topology,
// where trace search (trace/follow.ts) walks them. A mapping seen recently is not written again.

import { LRUCache } from 'lru-cache';
import type { LogEvent } from '../core/event.js';
import type { GatewayMapping } from '../topology/types.js';
import type { Plugin } from './define.js';
import { reportFailure } from './isolate.js';

export type RecordMapping = (mapping: GatewayMapping) => Promise<void>;

const RECENT = 10_000;

const isText = (v: unknown): v is string => typeof v === 'string' && v !== '';

export interface TraceMapping {
  /** Reads one event with every mapper of its domain; the writes it starts run on their own. */
  observe(event: LogEvent): void;
  /** Resolves when every write started so far has settled (at start, before serving). */
  settled(): Promise<void>;
}

export function createTraceMapping(plugins: readonly Plugin[], record: RecordMapping): TraceMapping {
  const byDomain = new Map<string, Plugin[]>();
  for (const p of plugins) if (p.traceMapper) for (const d of p.domains) byDomain.set(d, [...(byDomain.get(d) ?? []), p]);
  const recent = new LRUCache<string, true>({ max: RECENT });

  const accept = (plugin: Plugin, m: GatewayMapping): GatewayMapping => {
    if (![m.fromDomain, m.fromTraceId, m.toDomain, m.toTraceId].every(isText)) {
      throw new Error('expected { fromDomain, fromTraceId, toDomain, toTraceId } as non-empty strings');
    }
    if (!plugin.domains.includes(m.fromDomain) && !plugin.domains.includes(m.toDomain)) {
      throw new Error(`mapping ${m.fromDomain} -> ${m.toDomain} touches none of its domains`);
    }
    return m;
  };

  const pending = new Set<Promise<void>>();
  const observe = (event: LogEvent): void => {
    const mappers = byDomain.get(event.domain);
    if (!mappers) return;
    for (const plugin of mappers) {
      let m: GatewayMapping | undefined;
      try {
        m = plugin.traceMapper!(event) ?? undefined;
        if (m === undefined) continue;
        m = accept(plugin, m);
      } catch (err) {
        reportFailure(plugin.name, 'trace mapper', err);
        continue;
      }
      const key = `${m.fromDomain}\u0000${m.fromTraceId}\u0000${m.toDomain}\u0000${m.toTraceId}`;
      if (recent.has(key)) continue;
      recent.set(key, true);
      const write = record(m)
        .catch((err: unknown) => {
          recent.delete(key);
          reportFailure(plugin.name, 'recording a gateway mapping', err);
        })
        .finally(() => pending.delete(write));
      pending.add(write);
    }
  };
  return {
    observe: byDomain.size ? observe : () => undefined,
    settled: async () => {
      await Promise.all([...pending]);
    },
  };
}
