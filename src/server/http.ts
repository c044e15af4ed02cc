// The HTTP server: one port for POST/GET /graphql (Apollo Server), WebSocket subscriptions on
// the same path (graphql-ws), /healthz and /metrics. Both transports build their context and
// apply the same limits through context.ts and guard.ts.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { specifiedRules, validate, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { LogfedError } from '../errors/index.js';
import { log } from '../observe/logger.js';
import { registry } from '../observe/metrics.js';
import type { Runtime } from '../runtime/index.js';
import { createContext, type GraphQLContext } from './context.js';
import { formatError } from './errors.js';
import { validationRules } from './guard.js';

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

  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: 1024 * 1024 });
  const wsCleanup = useServer<Record<string, unknown>, { abort: AbortController }>(
    {
      schema,
      validate: (s, doc) => validate(s, doc, [...specifiedRules, ...validationRules]),
      context: (ctx) => {
        const extra = ctx.extra as { abort?: AbortController };
        extra.abort ??= new AbortController();
        return createContext(runtime, {
          headers: { ...(ctx.extra.request.headers as Record<string, unknown>), ...(ctx.connectionParams ?? {}) },
          transport: 'ws',
          signal: AbortSignal.any([extra.abort.signal, shutdown.signal]),
        });
      },
      onClose: (ctx) => (ctx.extra as { abort?: AbortController }).abort?.abort(),
      onError: (_ctx, _id, _payload, errors) => {
        log.debug({ errors: errors.map((e) => e.message) }, 'subscription error');
      },
    },
    wsServer,
  );

  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    validationRules,
    introspection: true,
    formatError,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
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
  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const abort = new AbortController();
        res.on('close', () => abort.abort());
        return createContext(runtime, { headers: req.headers, transport: 'http', signal: AbortSignal.any([abort.signal, shutdown.signal]) });
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
