// The graphql-ws side of the server, held to what Apollo applies on HTTP: credentials from the
// connection_init payload are checked in onConnect, and onSubscribe runs the same allow-list,
// parse limits and validation rules (guard.ts) before anything executes. Connection hygiene
// (ws-hygiene.ts) counts operations and closes idle sockets.

import { getOperationAST, GraphQLError, type GraphQLSchema } from 'graphql';
import type { ServerOptions } from 'graphql-ws';
import type { WebSocket } from 'ws';
import type { IncomingMessage } from 'node:http';
import type { Identity } from '../auth/identity.js';
import { isLogfedError } from '../errors/index.js';
import { log } from '../observe/logger.js';
import type { Runtime } from '../runtime/index.js';
import { createContext, credentialsFrom, type HeaderBag } from './context.js';
import { formatError } from './errors.js';
import type { Guard } from './guard.js';
import type { PersistedQueries } from './limits/persisted.js';
import { createDeadline } from './limits/timeout.js';
import { WS_CLOSE, type WsHygiene } from './ws-hygiene.js';

export type WsExtra = {
  socket: WebSocket;
  request: IncomingMessage;
  identity?: Identity;
  abort?: AbortController;
};

export function wsServerOptions(o: {
  runtime: Runtime;
  schema: GraphQLSchema;
  guard: Guard;
  hygiene: WsHygiene;
  persisted?: PersistedQueries;
  shutdown: AbortSignal;
}): ServerOptions<Record<string, unknown>, WsExtra> {
  const { runtime, schema, guard, hygiene, persisted } = o;
  const clientErrors = (errors: readonly GraphQLError[]) => errors.map((e) => guard.formatForClient(formatError(e.toJSON(), e)));
  return {
    schema,
    connectionInitWaitTimeout: hygiene.connectionInitWaitTimeout,
    async onConnect(ctx) {
      // Browsers cannot set headers on a WebSocket, so the payload carries them; a header on the
      // upgrade request is accepted for other clients.
      const headers = { ...(ctx.extra.request.headers as HeaderBag), ...(ctx.connectionParams ?? {}) };
      const creds = credentialsFrom(headers);
      try {
        ctx.extra.identity = await runtime.security.auth.authenticate(creds);
      } catch (err) {
        const code = isLogfedError(err) && err.code === 'SERVICE_UNAVAILABLE' ? WS_CLOSE.tryAgainLater : creds.authorization ? WS_CLOSE.forbidden : WS_CLOSE.unauthorized;
        const label = code === WS_CLOSE.unauthorized ? 'Unauthorized' : code === WS_CLOSE.forbidden ? 'Forbidden' : 'Try again later';
        if (!isLogfedError(err)) log.error({ err }, 'authentication failed unexpectedly');
        ctx.extra.socket.close(code, closeReason(`${label}: ${isLogfedError(err) ? err.message : 'internal error'}`));
        return false;
      }
      hygiene.opened(ctx);
      return true;
    },
    onSubscribe(ctx, _id, payload) {
      const refused = hygiene.admit(ctx);
      if (refused) return refused;
      let source: string;
      if (persisted) {
        const resolved = persisted.resolve(payload);
        if ('error' in resolved) return [resolved.error];
        source = resolved.query;
      } else source = payload.query;
      let document;
      try {
        document = guard.parse(source);
      } catch (err) {
        return [err instanceof GraphQLError ? err : new GraphQLError(String(err))];
      }
      const errors = guard.validate(schema, document);
      if (errors.length > 0) return errors;
      return { schema, document, operationName: payload.operationName, variableValues: payload.variables };
    },
    context(ctx, _id, _payload, args) {
      ctx.extra.abort ??= new AbortController();
      const operation = getOperationAST(args.document, args.operationName)?.operation;
      return createContext(runtime, {
        identity: ctx.extra.identity!,
        headers: { ...(ctx.extra.request.headers as HeaderBag), ...(ctx.connectionParams ?? {}) },
        transport: 'ws',
        signal: AbortSignal.any([ctx.extra.abort.signal, o.shutdown]),
        ...(operation === 'subscription' ? {} : { deadline: createDeadline(guard.limits.timeoutSeconds) }),
      });
    },
    onNext: (_ctx, _id, _payload, _args, result) => (result.errors ? { ...result, errors: clientErrors(result.errors) } : undefined),
    onError: (_ctx, _id, _payload, errors) => {
      log.debug({ errors: errors.map((e) => e.message) }, 'subscription error');
      return clientErrors(errors);
    },
    onComplete: (ctx) => hygiene.completed(ctx),
    onClose: (ctx) => {
      ctx.extra.abort?.abort();
      hygiene.closed(ctx);
    },
  };
}

/** A close reason is at most 123 bytes (RFC 6455). */
function closeReason(text: string): string {
  const bytes = Buffer.from(text);
  return bytes.length <= 123 ? text : `${bytes.subarray(0, 120).toString('utf8').replace(/\uFFFD$/, '')}…`;
}
