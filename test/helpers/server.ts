// Starts a real gateway (runtime + HTTP/WebSocket server) on a free port for end-to-end tests,
// on the embedded default unless a config is given.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { demoConfig } from '../../src/demo/config.js';
import { createRuntime, type Runtime } from '../../src/runtime/index.js';
import { startServer, type RunningServer } from '../../src/server/http.js';
import { buildSchema } from '../../src/server/schema.js';

export interface TestGateway {
  url: string;
  wsUrl: string;
  runtime: Runtime;
  server: RunningServer;
  stop(): Promise<void>;
  gql<T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<{ data?: T; errors?: any[] }>;
}

export async function startTestGateway(configure: (raw: Record<string, any>) => Record<string, any> = (c) => c): Promise<TestGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'logfed-e2e-'));
  const config: Config = parseConfig(configure({ ...demoConfig(dir), server: { port: 0, host: '127.0.0.1' } }));
  const runtime = await createRuntime(config);
  const server = await startServer(runtime, buildSchema({ plugins: runtime.plugins.plugins }), { port: 0, host: '127.0.0.1' });
  const url = server.url;
  return {
    url,
    wsUrl: url.replace(/^http/, 'ws'),
    runtime,
    server,
    async stop() {
      await server.close();
      await runtime.close();
      rmSync(dir, { recursive: true, force: true });
    },
    async gql(query, variables, headers = {}) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as any;
    },
  };
}
