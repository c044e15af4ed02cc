// Builds the per-operation context, the one place both transports go through: HTTP requests
// (Apollo) and graphql-ws operations pass the identity their transport authenticated and their
// headers / connection params here, so identity and per-request state are the same whichever
// way a client comes in.

import { randomUUID } from 'node:crypto';
import type { Identity } from '../auth/identity.js';
import type { Runtime } from '../runtime/index.js';
import { createTopologyLoaders, type TopologyLoaders } from '../topology/loaders.js';
import type { Deadline } from './limits/timeout.js';

export interface GraphQLContext {
  runtime: Runtime;
  /** Who asks: user id, role and scope (src/auth). */
  identity: Identity;
  /** The identity's user id: for affinity and audit. */
  user: string;
  requestId: string;
  transport: 'http' | 'ws';
  /** Aborted when the client goes away, the server shuts down or the deadline passes. */
  signal: AbortSignal;
  /** Queries and mutations only: aborts after limits.timeoutSeconds (limits/timeout.ts). */
  deadline?: Deadline;
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

export function createContext(
  runtime: Runtime,
  input: { identity: Identity; headers?: HeaderBag; transport: 'http' | 'ws'; signal?: AbortSignal; deadline?: Deadline },
): GraphQLContext {
  const signals = [input.signal, input.deadline?.signal].filter((s): s is AbortSignal => s !== undefined);
  return {
    runtime,
    identity: input.identity,
    user: input.identity.user,
    requestId: requestIdOf(header(input.headers, 'x-request-id')),
    transport: input.transport,
    signal: signals.length ? AbortSignal.any(signals) : new AbortController().signal,
    deadline: input.deadline,
    loaders: createTopologyLoaders(runtime.topology),
  };
}

/** A caller's request id is echoed in logs, so only a short plain one is taken. */
function requestIdOf(sent: string | undefined): string {
  return sent && /^[\w.:-]{1,128}$/.test(sent) ? sent : randomUUID();
}

/** The credentials a transport found: the Authorization header or param, and the anonymous user's name. */
export function credentialsFrom(headers: HeaderBag | undefined): { authorization?: string; claimedUser?: string } {
  return { authorization: header(headers, 'authorization'), claimedUser: header(headers, 'x-logfed-user') };
}
