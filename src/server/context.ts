// Builds the per-operation context, the one place both transports go through: HTTP requests
// (Apollo) and graphql-ws subscriptions pass their headers / connection params here, so
// identity and per-request state are the same whichever way a client comes in.

import { randomUUID } from 'node:crypto';
import type { Runtime } from '../runtime/index.js';
import { createTopologyLoaders, type TopologyLoaders } from '../topology/loaders.js';

export interface GraphQLContext {
  runtime: Runtime;
  /** Who asks: for affinity and audit. */
  user: string;
  requestId: string;
  transport: 'http' | 'ws';
  /** Aborted when the client goes away or the server shuts down. */
  signal: AbortSignal;
  /** Per-operation topology reads, batched and cached for this operation only. */
  loaders: TopologyLoaders;
}

export type HeaderBag = Record<string, string | string[] | undefined | unknown>;

function header(headers: HeaderBag | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== wanted) continue;
    if (typeof v === 'string') return v;
    if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  }
  return undefined;
}

const USER_RE = /^[\w.@:-]{1,128}$/;

export function createContext(
  runtime: Runtime,
  input: { headers?: HeaderBag; transport: 'http' | 'ws'; signal?: AbortSignal },
): GraphQLContext {
  const claimed = header(input.headers, 'x-logfed-user');
  return {
    runtime,
    user: claimed && USER_RE.test(claimed) ? claimed : 'anonymous',
    requestId: header(input.headers, 'x-request-id') ?? randomUUID(),
    transport: input.transport,
    signal: input.signal ?? new AbortController().signal,
    loaders: createTopologyLoaders(runtime.topology),
  };
}
