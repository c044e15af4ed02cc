// Where the console and GraphiQL talk to: the gateway that served the page, /graphql over HTTP
// and WebSocket, with the caller's bearer token and user name kept in this browser's storage.

export interface Endpoints {
  httpUrl: string;
  wsUrl: string;
}

export function endpoints(loc: Pick<Location, 'protocol' | 'host'>): Endpoints {
  const ws = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return { httpUrl: `${loc.protocol}//${loc.host}/graphql`, wsUrl: `${ws}//${loc.host}/graphql` };
}

export interface Credentials {
  /** A bearer token (API key or JWT); empty when the gateway admits anonymous callers. */
  token: string;
  /** Sent as x-logfed-user: affinity ranking and annotation authors for anonymous callers. */
  user: string;
}

const KEY = 'logfed.credentials';

export function loadCredentials(store: Pick<Storage, 'getItem'> = localStorage): Credentials {
  try {
    const raw = JSON.parse(store.getItem(KEY) ?? '{}') as Partial<Credentials>;
    return { token: typeof raw.token === 'string' ? raw.token : '', user: typeof raw.user === 'string' ? raw.user : '' };
  } catch {
    return { token: '', user: '' };
  }
}

export function saveCredentials(c: Credentials, store: Pick<Storage, 'setItem'> = localStorage): void {
  store.setItem(KEY, JSON.stringify(c));
}

/** The same names serve as HTTP headers and as graphql-ws connection params (the gateway reads both). */
export function credentialHeaders(c: Credentials = loadCredentials()): Record<string, string> {
  const h: Record<string, string> = {};
  if (c.token) h.authorization = /^bearer /i.test(c.token) ? c.token : `Bearer ${c.token}`;
  if (c.user) h['x-logfed-user'] = c.user;
  return h;
}
