// A reference adapter over events held in memory that pushes down nothing but time: it shows the
// smallest thing that passes the contract, and exercises the contract's gateway-side filtering.

import type { LogEvent } from '../../src/core/event.js';
import { badInput, LogfedError } from '../../src/errors/index.js';
import type { Adapter, Target } from '../../src/query/types.js';
import type { AdapterHarness } from './index.js';

export function referenceHarness(): AdapterHarness {
  const stores = new Map<string, Array<{ seq: number; event: LogEvent }>>();
  let seq = 0;
  const add = (id: string, events: LogEvent[]) => {
    const rows = stores.get(id) ?? [];
    for (const event of events) rows.push({ seq: ++seq, event });
    rows.sort((a, b) => a.event.ts - b.event.ts || a.seq - b.seq);
    stores.set(id, rows);
  };
  const adapter: Adapter = {
    kind: 'reference',
    capabilities: { pushdown: { keywords: false, levels: false, traceId: false, regex: false, appFile: false }, sorts: true, pages: true },
    async search(req) {
      await Promise.resolve();
      if (req.signal.aborted) throw new LogfedError('CANCELLED', 'search cancelled');
      let after: [number, number] | undefined;
      if (req.after !== undefined) {
        const m = /^r\.(\d+)\.(\d+)$/.exec(req.after);
        if (!m) throw badInput(`after: expected r.<ts>.<seq>, got ${JSON.stringify(req.after)}`);
        after = [Number(m[1]), Number(m[2])];
      }
      const rows = [...(stores.get(req.target.logstore.id) ?? [])];
      if (req.order === 'desc') rows.reverse();
      const sign = req.order === 'asc' ? 1 : -1;
      const out = rows.filter(({ seq: s, event: e }) => {
        if (e.ts < req.filter.from || e.ts >= req.filter.to) return false;
        return !after || sign * (e.ts - after[0] || s - after[1]) > 0;
      });
      const hits = out.slice(0, req.limit).map(({ seq: s, event }) => ({
        event: { ...event, domain: req.target.domain, env: req.target.env },
        pos: `r.${event.ts}.${s}`,
      }));
      return { hits, done: out.length <= req.limit };
    },
  };
  return {
    adapter,
    async seed(events, opts) {
      const id = `ref-${++seq}`;
      add(id, events);
      const target: Target = {
        id,
        domain: opts.domain,
        env: opts.env,
        logstore: { id, domain: opts.domain, env: opts.env, layout: opts.layout, app: opts.app, file: opts.file, backend: 'memory', location: {} },
      };
      return target;
    },
    async append(target, events) {
      add(target.logstore.id, events);
    },
    async cleanup() {
      stores.clear();
    },
  };
}
