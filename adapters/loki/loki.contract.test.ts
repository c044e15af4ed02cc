// Runs the adapter contract on the small Loki in test/fixtures/loki: every seeded logstore is a
// stream selector over lines pushed with app, file, level (lower case) and trace id labels, all
// at whole milliseconds so that many lines share a nanosecond. The server allows 36-second
// queries of at most 20 lines, so every search is walked in chunks and cut inside ties.

import type { LogEvent } from '../../src/core/event.js';
import { defineAdapterContract, type AdapterHarness } from '../../test/adapter-contract/index.js';
import { startFakeLoki } from '../../test/fixtures/loki/server.js';
import { createLokiAdapter } from './index.js';

const TENANT = 'team-a';

function pushBody(store: string, events: LogEvent[]) {
  return {
    streams: events.map((e) => ({
      stream: { store, app: e.app, filename: e.file, level: (e.level ?? '').toLowerCase(), ...(e.traceId ? { trace_id: e.traceId } : {}) },
      values: [[String(BigInt(e.ts) * 1_000_000n), e.message]] as Array<[string, string]>,
    })),
  };
}

function lokiHarness(): () => Promise<AdapterHarness> {
  return async () => {
    const loki = await startFakeLoki({ tenants: [TENANT], maxEntries: 20, maxQueryMs: 36_000 });
    const adapter = createLokiAdapter({ url: loki.url, tenant: TENANT, maxRangeHours: 0.01, maxEntries: 20 });
    let n = 0;
    return {
      adapter,
      async seed(events, opts) {
        const store = `s${++n}`;
        loki.push(TENANT, pushBody(store, events));
        const location = { selector: `{store="${store}"}`, labels: { app: 'app', file: 'filename', level: 'level', traceId: 'trace_id' } };
        return {
          id: store,
          domain: opts.domain,
          env: opts.env,
          logstore: { id: store, domain: opts.domain, env: opts.env, layout: opts.layout, app: opts.app, file: opts.file, backend: 'loki', location },
        };
      },
      append: async (target, events) => loki.push(TENANT, pushBody(target.logstore.id, events)),
      async cleanup() {
        await adapter.close?.();
        await loki.close();
      },
    };
  };
}

defineAdapterContract('loki (fake server: chunked range, ties cut by limit)', lokiHarness());
