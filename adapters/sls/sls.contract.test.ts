// Runs the adapter contract on the small SLS in test/fixtures/sls: one logstore per seeded
// logstore, each log with __time__ in seconds and the milliseconds in __time_ns_part__, under
// topic "shop" beside noise in another topic. SLS orders only by second and pages by 100 lines,
// so every search gathers and orders seconds in process; requests are signed with an STS token.

import type { LogEvent } from '../../src/core/event.js';
import { defineAdapterContract, type AdapterHarness } from '../../test/adapter-contract/index.js';
import { startFakeSls, type Log } from '../../test/fixtures/sls/server.js';
import { createSlsAdapter } from './index.js';

const CREDS = { project: 'shop-logs', accessKeyId: 'LTAI5tTestKeyId', accessKeySecret: 'test-secret-9f8e7d', securityToken: 'sts-token-abc' };

const toLog = (e: LogEvent, topic = 'shop'): Log => ({
  __time__: Math.floor(e.ts / 1000),
  __time_ns_part__: (e.ts % 1000) * 1_000_000,
  __source__: '10.0.0.7',
  __topic__: topic,
  content: e.message,
  level: e.level ?? '',
  app: e.app,
  file: e.file,
  ...(e.traceId ? { traceId: e.traceId } : {}),
});

function slsHarness(): () => Promise<AdapterHarness> {
  return async () => {
    const sls = await startFakeSls(CREDS);
    const adapter = createSlsAdapter({ endpoint: sls.endpoint, ...CREDS, timeoutMs: 5000 });
    let n = 0;
    return {
      adapter,
      async seed(events, opts) {
        const logstore = `store-${++n}`;
        // Another topic of the same logstore holds the same lines: the location's topic keeps them out.
        sls.put(logstore, [...events.map((e) => toLog(e)), ...events.slice(0, 40).map((e) => toLog(e, 'noise'))]);
        return {
          id: logstore,
          domain: opts.domain,
          env: opts.env,
          logstore: { id: logstore, domain: opts.domain, env: opts.env, layout: opts.layout, app: opts.app, file: opts.file, backend: 'sls', location: { logstore, topic: 'shop' } },
        };
      },
      append: async (target, events) => sls.put(target.logstore.id, events.map((e) => toLog(e))),
      async cleanup() {
        await adapter.close?.();
        await sls.close();
      },
    };
  };
}

defineAdapterContract('sls (fake server: seconds, 100-line pages, signed with STS)', slsHarness());
