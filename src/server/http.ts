// The HTTP server: one port for POST/GET /graphql (Apollo Server), WebSocket subscriptions on
// the same path (graphql-ws), /healthz and /metrics. Both transports authenticate through the
// runtime's authenticator, build their context through context.ts and apply the same limits
// (guard.ts, limits/) — HTTP in http-guards.ts and Apollo's options, WebSocket in ws-server.ts.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { LogfedError } from '../errors/index.js';
import { log } from '../observe/logger.js';
import { registry } from '../observe/metrics.js';
import type { Runtime } from '../runtime/index.js';
import { consoleRouter } from './console.js';
import { createContext, type GraphQLContext } from './context.js';
import { formatError } from './errors.js';
import { createGuard } from './guard.js';
import { authenticateHttp, persistedOnlyHttp, type AuthLocals } from './http-guards.js';
import { loadPersistedQueries } from './limits/persisted.js';
import { applyDeadlines, createDeadline } from './limits/timeout.js';
import { createWsHygiene } from './ws-hygiene.js';
import { wsServerOptions, type WsExtra } from './ws-server.js';
import { refuseHttpSubscriptions } from './http-subscriptions.js';

export interface RunningServer {
  url: string;
  port: number;
  /** Stops accepting, finishes in-flight requests, completes subscriptions (close code 1001). */
  close(): Promise<void>;
}

export async function startServer(runtime: Runtime, schema: GraphQLSchema, opts: { port: number; host: string }): Promise<RunningServer> {
  const app = express();
  app.disable('x-powered-by');
  const httpServer: Server = createServer(app);
  const shutdown = new AbortController();

  const guard = createGuard(runtime.config.limits);
  const pq = runtime.config.limits.persistedQueries;
  const persisted = pq.enabled && pq.manifest ? loadPersistedQueries(pq.manifest) : undefined;
  const hygiene = createWsHygiene(runtime.config.limits.websocket);
  applyDeadlines(schema);

  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: hygiene.maxPayload });
  const wsCleanup = useServer<Record<string, unknown>, WsExtra>(
    wsServerOptions({ runtime, schema, guard, hygiene, persisted, shutdown: shutdown.signal }),
    wsServer,
  );

  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    validationRules: guard.validationRules,
    parseOptions: guard.parseOptions,
    introspection: guard.limits.introspection,
    // With an allow-list, a hash resolves only through it (http-guards.ts), never through a cache clients fill.
    ...(persisted ? { persistedQueries: false as const } : {}),
    formatError: (formatted, error) => guard.formatForClient(formatError(formatted, error)),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      refuseHttpSubscriptions,
      { async serverWillStart() { return { async drainServer() { await wsCleanup.dispose(); } }; } },
    ],
  });
  await apollo.start();

  app.get('/healthz', async (_req, res) => {
    try {
      const h = await runtime.health();
      res.status(h.status === 'DOWN' ? 503 : 200).json(h);
    } catch (err) {
      res.status(503).json({ status: 'DOWN', error: (err as Error).message });
    }
  });
  app.get('/metrics', async (_req, res) => {
    res.setHeader('content-type', registry.contentType);
    res.send(await registry.metrics());
  });
  // The web console at / and GraphiQL at /graphiql (console.ts); it answers nothing under /graphql.
  app.use(consoleRouter());
  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    authenticateHttp(runtime.security.auth),
    ...(persisted ? [persistedOnlyHttp(persisted)] : []),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const abort = new AbortController();
        res.on('close', () => abort.abort());
        return createContext(runtime, {
          identity: (res.locals as AuthLocals).identity!,
          headers: req.headers,
          transport: 'http',
          signal: AbortSignal.any([abort.signal, shutdown.signal]),
          deadline: createDeadline(guard.limits.timeoutSeconds),
        });
      },
    }),
  );

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      httpServer.off('listening', onListening);
      if (err.code === 'EADDRINUSE') {
        reject(new LogfedError('BAD_CONFIG', `port ${opts.port} on ${opts.host} is already in use: stop the process that holds it, or set PORT (or server.port) to a free port`));
      } else if (err.code === 'EACCES') {
        reject(new LogfedError('BAD_CONFIG', `no permission to listen on port ${opts.port}: use a port above 1023 (PORT or server.port)`));
      } else reject(err);
    };
    const onListening = () => {
      httpServer.off('error', onError);
      resolve();
    };
    httpServer.once('error', onError);
    httpServer.once('listening', onListening);
    httpServer.listen(opts.port, opts.host);
  });
  const { port } = httpServer.address() as AddressInfo;
  const shownHost = opts.host === '0.0.0.0' || opts.host === '::' ? 'localhost' : opts.host;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${port}/graphql`,
    port,
    close() {
      closing ??= (async () => {
        shutdown.abort();
        runtime.tail.close();
        await apollo.stop();
        wsServer.close();
      })();
      return closing;
    },
  };
}
