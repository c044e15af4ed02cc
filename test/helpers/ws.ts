// The first results of an operation over a fresh graphql-ws connection: the official client,
// closed again whatever happens, for end-to-end tests of subscriptions (and queries over ws).

import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

export interface WsResult {
  data?: any;
  errors?: readonly any[];
}

/** Collects `n` results (or fewer if the operation completes first), then disposes the client. */
export async function overWs(wsUrl: string, query: string, n = 1): Promise<WsResult[]> {
  const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 });
  const got: WsResult[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const dispose = client.subscribe(
        { query },
        {
          next: (msg) => {
            if (got.length < n) got.push(msg as WsResult);
            if (got.length === n) {
              dispose();
              resolve();
            }
          },
          error: reject,
          complete: () => resolve(),
        },
      );
    });
  } finally {
    await client.dispose();
  }
  return got;
}
