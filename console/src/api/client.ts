// The console's GraphQL client: queries and mutations over HTTP POST, subscriptions over one
// shared graphql-ws connection, both to the gateway that served the page and with the saved
// credentials. Errors keep the gateway's extensions.code so the page can say what went wrong.

import { createClient, type Client } from 'graphql-ws';
import { credentialHeaders, endpoints } from './endpoint.js';

export class GraphQLRequestError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'GraphQLRequestError';
  }
}

interface GraphQLError {
  message: string;
  extensions?: { code?: string };
}

function toError(errors: readonly GraphQLError[]): GraphQLRequestError {
  const first = errors[0]!;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return new GraphQLRequestError(`${first.message}${more}`, first.extensions?.code);
}

export async function gql<T>(query: string, variables: Record<string, unknown> = {}, signal?: AbortSignal): Promise<T> {
  const res = await fetch(endpoints(location).httpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...credentialHeaders() },
    body: JSON.stringify({ query, variables }),
    signal,
  });
  let body: { data?: T; errors?: GraphQLError[] };
  try {
    body = (await res.json()) as typeof body;
  } catch {
    throw new GraphQLRequestError(`the gateway answered ${res.status} ${res.statusText} without a GraphQL body`);
  }
  if (body.errors?.length) throw toError(body.errors);
  if (!body.data) throw new GraphQLRequestError(`the gateway answered ${res.status} with no data`);
  return body.data;
}

let ws: Client | undefined;

function wsClient(): Client {
  ws ??= createClient({
    url: endpoints(location).wsUrl,
    connectionParams: () => credentialHeaders(),
    lazy: true,
    // A dropped connection is retried (a gateway restart is no reason to stop a tail);
    // graphql-ws never retries a refusal such as 4401/4403, which reaches the page as an error.
    retryAttempts: Number.POSITIVE_INFINITY,
  });
  return ws;
}

/** Reconnects with the credentials saved since (subscriptions restart with them). */
export function resetSubscriptions(): void {
  const old = ws;
  ws = undefined;
  void old?.dispose();
}

export interface Sink<T> {
  next(data: T): void;
  error(err: Error): void;
  complete?(): void;
}

/** Starts a subscription; the answer stops it. */
export function subscribe<T>(query: string, variables: Record<string, unknown>, sink: Sink<T>): () => void {
  return wsClient().subscribe<T>(
    { query, variables },
    {
      next: (msg) => {
        if (msg.errors?.length) sink.error(toError(msg.errors as GraphQLError[]));
        else if (msg.data) sink.next(msg.data as T);
      },
      error: (err) => {
        if (Array.isArray(err)) sink.error(toError(err as GraphQLError[]));
        else if (err instanceof Error) sink.error(err);
        else if (err && typeof err === 'object' && 'code' in err) {
          const ev = err as { code: number; reason?: string };
          sink.error(new GraphQLRequestError(`the live connection closed (${ev.code}${ev.reason ? `: ${ev.reason}` : ''})`));
        } else sink.error(new GraphQLRequestError('the live connection failed'));
      },
      complete: () => sink.complete?.(),
    },
  );
}
