// What a WebSocket connection may hold and how long it may sit: at most `maxOperations` running
// at once (the next is refused with LIMIT_EXCEEDED, the others keep running), closed when no
// operation has run for `idleSeconds`, a message larger than `maxPayloadBytes` closes it (ws
// itself, 1009), and so does a missing connection_init (graphql-ws, 4408). Each close carries a
// code and a reason a client can show.

import { GraphQLError } from 'graphql';
import type { WebSocket } from 'ws';
import type { LimitsConfig } from './limits/config.js';

/** Close codes the gateway uses beyond graphql-ws's own (4400 bad request, 4408 init timeout...). */
export const WS_CLOSE = {
  /** No operation ran for limits.websocket.idleSeconds. */
  idle: 4000,
  /** No credentials, and anonymous access is off. */
  unauthorized: 4401,
  /** Credentials were sent and refused. */
  forbidden: 4403,
  /** connection_init did not arrive within limits.websocket.initTimeoutMs (graphql-ws). */
  initTimeout: 4408,
  /** A credential store could not be read: try again later (RFC 6455). */
  tryAgainLater: 1013,
  /** A message was larger than limits.websocket.maxPayloadBytes (ws). */
  tooBig: 1009,
} as const;

interface ConnectionCtx {
  subscriptions: Record<string, unknown>;
  extra: { socket: WebSocket };
}

export interface WsHygiene {
  /** Options for `new WebSocketServer`. */
  readonly maxPayload: number;
  /** For graphql-ws's `connectionInitWaitTimeout`. */
  readonly connectionInitWaitTimeout: number;
  /** Call when a connection is acknowledged: starts its idle clock. */
  opened(ctx: ConnectionCtx): void;
  /** Call at the start of onSubscribe: errors to answer with when the connection holds too many operations. */
  admit(ctx: ConnectionCtx): readonly GraphQLError[] | undefined;
  /** Call when an operation completes: the idle period counts from here. */
  completed(ctx: ConnectionCtx): void;
  closed(ctx: ConnectionCtx): void;
}

export function createWsHygiene(limits: LimitsConfig['websocket'], now: () => number = Date.now): WsHygiene {
  const idleMs = limits.idleSeconds * 1000;
  const state = new WeakMap<ConnectionCtx, { lastActive: number; timer?: NodeJS.Timeout }>();
  const running = (ctx: ConnectionCtx) => Object.keys(ctx.subscriptions).length;

  const arm = (ctx: ConnectionCtx, delay: number) => {
    const s = state.get(ctx);
    if (!s) return;
    if (s.timer) clearTimeout(s.timer);
    s.timer = setTimeout(() => check(ctx), Math.max(0, delay));
    s.timer.unref();
  };
  const check = (ctx: ConnectionCtx) => {
    const s = state.get(ctx);
    if (!s) return;
    if (running(ctx) > 0) {
      // Busy is not idle: look again a full period after now.
      s.lastActive = now();
      arm(ctx, idleMs);
      return;
    }
    const quiet = now() - s.lastActive;
    if (quiet >= idleMs) {
      ctx.extra.socket.close(WS_CLOSE.idle, `Idle timeout: no operation for ${limits.idleSeconds} s`);
      return;
    }
    arm(ctx, idleMs - quiet);
  };
  const touch = (ctx: ConnectionCtx) => {
    const s = state.get(ctx);
    if (s) s.lastActive = now();
  };

  return {
    maxPayload: limits.maxPayloadBytes,
    connectionInitWaitTimeout: limits.initTimeoutMs,
    opened(ctx) {
      state.set(ctx, { lastActive: now() });
      arm(ctx, idleMs);
    },
    admit(ctx) {
      touch(ctx);
      // graphql-ws has registered the new operation already, so it counts itself.
      if (running(ctx) <= limits.maxOperations) return undefined;
      return [
        new GraphQLError(`this connection already runs ${limits.maxOperations} operations; the limit is ${limits.maxOperations} (limits.websocket.maxOperations): complete one or open another connection`, {
          extensions: { code: 'LIMIT_EXCEEDED' },
        }),
      ];
    },
    completed(ctx) {
      touch(ctx);
    },
    closed(ctx) {
      const s = state.get(ctx);
      if (s?.timer) clearTimeout(s.timer);
      state.delete(ctx);
    },
  };
}
