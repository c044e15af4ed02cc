// The HTTP client the network adapters (opensearch, loki, sls) share: one keep-alive agent per
// configured endpoint, so the round trips of a page reuse their connections; a timeout per
// request; the caller's AbortSignal. Transport failures come back as LogfedErrors that say
// which endpoint failed, so the fan-out can tell a cancelled source from an unreachable one.

import http from 'node:http';
import https from 'node:https';
import { LogfedError, toLogfedError } from '../../src/errors/index.js';

export interface HttpClientOptions {
  /** Scheme, host, port and an optional path prefix every request path is appended to. */
  url: string;
  timeoutMs: number;
  /** Names the backend in messages: "loki http://127.0.0.1:3100: connect ECONNREFUSED". */
  name: string;
  /** Sent with every request (authorisation, tenant). */
  headers?: Record<string, string>;
  /** Connections kept open to the endpoint at most. */
  maxSockets?: number;
}

export type Query = Record<string, string | number | boolean | undefined>;

export interface HttpRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Query;
  headers?: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

export interface HttpClient {
  readonly base: URL;
  request(req: HttpRequest): Promise<HttpResponse>;
  /** Closes idle connections; requests still running finish. */
  close(): void;
}

/** A response larger than this is refused rather than buffered: a page never needs it. */
const MAX_BODY_BYTES = 256 * 1024 * 1024;

export function cancelled(signal: AbortSignal): LogfedError {
  return new LogfedError('CANCELLED', 'search cancelled', { cause: signal.reason });
}

export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw cancelled(signal);
}

/** `k=v&k2=v2` with every part percent-encoded (spaces as %20, which every backend reads alike). */
export function queryString(query: Query | undefined): string {
  if (!query) return '';
  const parts = Object.entries(query)
    .filter((e): e is [string, string | number | boolean] => e[1] !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

export function createHttpClient(opts: HttpClientOptions): HttpClient {
  const base = new URL(opts.url);
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new LogfedError('BAD_CONFIG', `${opts.name} url: expected http:// or https://, got ${JSON.stringify(opts.url)}`);
  }
  const secure = base.protocol === 'https:';
  const agentOptions = { keepAlive: true, maxSockets: opts.maxSockets ?? 32, maxFreeSockets: 8, scheduling: 'lifo' as const };
  const agent = secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  const prefix = base.pathname.replace(/\/+$/, '');
  const where = `${opts.name} ${base.origin}`;

  const request = (req: HttpRequest): Promise<HttpResponse> =>
    new Promise<HttpResponse>((resolve, reject) => {
      if (req.signal.aborted) return reject(cancelled(req.signal));
      const headers: Record<string, string> = { accept: 'application/json', ...opts.headers, ...req.headers };
      if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
      const out = (secure ? https : http).request({
        protocol: base.protocol,
        hostname: base.hostname,
        port: base.port || undefined,
        method: req.method ?? 'GET',
        path: `${prefix}${req.path}${queryString(req.query)}`,
        headers,
        agent,
      });
      let settled = false;
      const finish = (err: unknown, res?: HttpResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.signal.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve(res!);
      };
      const onAbort = () => {
        finish(cancelled(req.signal));
        out.destroy();
      };
      const timer = setTimeout(() => {
        finish(new LogfedError('TIMEOUT', `${where}: no answer within ${opts.timeoutMs} ms`));
        out.destroy();
      }, opts.timeoutMs);
      req.signal.addEventListener('abort', onAbort, { once: true });
      out.on('error', (err) => finish(transportError(where, err)));
      out.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY_BYTES) {
            finish(new LogfedError('BACKEND_ERROR', `${where}: response larger than ${MAX_BODY_BYTES} bytes`));
            res.destroy();
            return;
          }
          chunks.push(c);
        });
        res.on('error', (err) => finish(transportError(where, err)));
        res.on('end', () => finish(undefined, { status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      });
      out.end(req.body);
    });

  return {
    base,
    request,
    close: () => agent.destroy(),
  };
}

function transportError(where: string, err: unknown): LogfedError {
  if (err instanceof LogfedError) return err;
  const e = toLogfedError(err, 'BACKEND_UNAVAILABLE');
  return new LogfedError(e.code, `${where}: ${e.message}`, { cause: err, details: { endpoint: where } });
}
