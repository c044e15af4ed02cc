// `npm start`: loads the configuration (or the embedded default), builds the runtime, serves
// GraphQL, and shuts down cleanly on SIGTERM/SIGINT. Any startup failure is one line naming the
// problem and the fix, and a non-zero exit.

import { loadConfig } from './config/load.js';
import { isLogfedError } from './errors/index.js';
import { log } from './observe/logger.js';
import { createRuntime, type Runtime } from './runtime/index.js';
import { startServer, type RunningServer } from './server/http.js';
import { buildSchema } from './server/schema.js';
import { banner } from './server/banner.js';

async function main(): Promise<void> {
  const { config, source } = loadConfig();
  let runtime: Runtime | undefined;
  let server: RunningServer | undefined;
  let stopping = false;

  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    // Whatever happens, the process is gone within the grace period.
    setTimeout(() => {
      log.warn('shutdown took too long; exiting');
      process.exit(1);
    }, config.server.shutdownGraceMs + 500).unref();
    await server?.close();
    await runtime?.close();
    log.info('bye');
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));

  runtime = await createRuntime(config);
  server = await startServer(runtime, buildSchema({ plugins: runtime.plugins.plugins }), { port: config.server.port, host: config.server.host });
  const access = { how: runtime.security.auth.describe(), openAdmin: runtime.security.settings.anonymous.enabled && runtime.security.settings.anonymous.role === 'admin' };
  process.stdout.write(banner({ url: server.url, source, embedded: runtime.embedded, demoDir: config.demo.enabled ? config.demo.dir : undefined, access }));
}

main().catch((err: unknown) => {
  const message = isLogfedError(err) ? err.message : err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  process.stderr.write(`logfed: ${message}\n`);
  process.exit(1);
});
