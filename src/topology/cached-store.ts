// Keeps the gateway reading while its topology store (MySQL) is down: every read that succeeds
// is remembered, and while the store fails — or does not answer within `readTimeoutMs` — the
// last good answer to the same read is served instead. After a failure the store is left alone
// for `retryMs`, then asked again, so it is used again by itself once it returns. Writes are
// never queued: they fail with SERVICE_UNAVAILABLE, since an admin must know a change was lost.

import { LogfedError, isLogfedError } from '../errors/index.js';
import { log } from '../observe/logger.js';
import type { TopologyStore } from './types.js';
import { withTimeout } from '../util/timeout.js';

const logger = log.child({ component: 'topology-cache' });

export interface CachedTopologyOptions {
  /** A read slower than this is answered from the cache (when it holds one). */
  readTimeoutMs?: number;
  /** How long after a failure reads go straight to the cache. */
  retryMs?: number;
  now?: () => number;
  /** For messages: what the store is. */
  name?: string;
}

export interface CachedTopologyStore extends TopologyStore {
  /** True while the store is failing and reads are served from the cache. */
  readonly serving: 'store' | 'cache';
}

type ReadMethod = 'listDomains' | 'getDomains' | 'listLogstores' | 'getLogstore' | 'listApps' | 'gatewayMappingsFor' | 'gatewayMappingsByTrace';
type WriteMethod = 'upsertDomain' | 'deleteDomain' | 'upsertLogstore' | 'deleteLogstore' | 'addAppFiles' | 'addGatewayMapping' | 'deleteGatewayMapping';

export function createCachedTopologyStore(inner: TopologyStore, opts: CachedTopologyOptions = {}): CachedTopologyStore {
  const readTimeoutMs = opts.readTimeoutMs ?? 2_000;
  const retryMs = opts.retryMs ?? 1_000;
  const now = opts.now ?? Date.now;
  const name = opts.name ?? 'the topology store';
  const last = new Map<string, unknown>();
  /**
   * Reads answered since the last write. Only these may stand in for a slow store; the others
   * wait for it, so reads after a change see it, yet are still served while the store is down.
   */
  const current = new Set<string>();
  let downUntil = 0;
  let down = false;

  const markDown = (err: unknown) => {
    downUntil = now() + retryMs;
    if (!down) logger.warn({ err }, `${name} is unavailable; serving the last topology read from cache`);
    down = true;
  };
  const markUp = () => {
    if (down) logger.info(`${name} answers again; topology reads go to it`);
    down = false;
  };

  async function read<T>(method: ReadMethod, args: unknown[], call: () => Promise<T>): Promise<T> {
    const key = `${method}\u0000${JSON.stringify(args)}`;
    const cached = last.has(key);
    if (down && now() < downUntil && cached) return last.get(key) as T;
    try {
      const value = await (current.has(key) ? withTimeout(call(), readTimeoutMs, `no answer within ${readTimeoutMs} ms`) : call());
      last.set(key, value);
      current.add(key);
      markUp();
      return value;
    } catch (err) {
      if (!isUnavailable(err)) throw err;
      markDown(err);
      if (last.has(key)) return last.get(key) as T;
      throw new LogfedError('SERVICE_UNAVAILABLE', `${name} is unavailable and this topology read was never made before: ${(err as Error).message}`, { cause: err });
    }
  }

  async function write<T>(method: WriteMethod, call: () => Promise<T>): Promise<T> {
    try {
      const value = await call();
      // Reads after a change must see it: what was remembered no longer stands in for a slow
      // store, only for one that is down (a stale answer beats none during an outage).
      current.clear();
      markUp();
      return value;
    } catch (err) {
      if (!isUnavailable(err)) throw err;
      markDown(err);
      throw new LogfedError('SERVICE_UNAVAILABLE', `${method} failed: ${name} is unavailable, so the change was not saved; retry when it is back (${(err as Error).message})`, { cause: err });
    }
  }

  return {
    get serving() {
      return down ? 'cache' : 'store';
    },
    listDomains: () => read('listDomains', [], () => inner.listDomains()),
    getDomains: (names) => read('getDomains', [names], () => inner.getDomains(names)),
    listLogstores: (filter) => read('listLogstores', [filter ?? null], () => inner.listLogstores(filter)),
    getLogstore: (id) => read('getLogstore', [id], () => inner.getLogstore(id)),
    listApps: (domain) => read('listApps', [domain], () => inner.listApps(domain)),
    gatewayMappingsFor: (d, t) => read('gatewayMappingsFor', [d, t], () => inner.gatewayMappingsFor(d, t)),
    gatewayMappingsByTrace: (t) => read('gatewayMappingsByTrace', [t], () => inner.gatewayMappingsByTrace(t)),
    upsertDomain: (d) => write('upsertDomain', () => inner.upsertDomain(d)),
    deleteDomain: (n) => write('deleteDomain', () => inner.deleteDomain(n)),
    upsertLogstore: (s) => write('upsertLogstore', () => inner.upsertLogstore(s)),
    deleteLogstore: (id) => write('deleteLogstore', () => inner.deleteLogstore(id)),
    addAppFiles: (d, a, f) => write('addAppFiles', () => inner.addAppFiles(d, a, f)),
    addGatewayMapping: (m) => write('addGatewayMapping', () => inner.addGatewayMapping(m)),
    deleteGatewayMapping: (m) => write('deleteGatewayMapping', () => inner.deleteGatewayMapping(m)),
    close: () => inner.close(),
  };
}

/** Failures of the store itself, as opposed to a refused change (a conflict, a bad name). */
function isUnavailable(err: unknown): boolean {
  if (isLogfedError(err)) return err.code === 'SERVICE_UNAVAILABLE' || err.code === 'BACKEND_UNAVAILABLE' || err.code === 'TIMEOUT' || (err.code === 'BACKEND_ERROR' && isConnectionFailure(err.cause));
  return isConnectionFailure(err);
}

function isConnectionFailure(err: unknown): boolean {
  const code = (err as { code?: string } | undefined)?.code;
  return typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENOTFOUND|ETIMEDOUT|EPIPE|PROTOCOL_CONNECTION_LOST|PROTOCOL_SEQUENCE_TIMEOUT|ER_CON_COUNT_ERROR)$/.test(code);
}
