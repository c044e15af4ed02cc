// The Redis client factory (affinity scores, query cache, pub/sub between replicas, scanner lock).
// While Redis is down, calls fail fast instead of piling up, and the client keeps reconnecting in
// the background, so the process recovers by itself when Redis returns.

import { Redis } from 'ioredis';
import { LogfedError } from '../errors/index.js';
import { log as rootLog } from '../observe/logger.js';
import type { StoreHealth } from './mysql.js';
import { withTimeout } from '../util/timeout.js';

const log = rootLog.child({ component: 'redis' });

export interface RedisClientOptions {
  /** Shown by CLIENT LIST on the server and in logs. */
  name?: string;
  /** Prepended to every key, so tests and tenants can share one server. */
  keyPrefix?: string;
  connectTimeoutMs?: number;
  /** Reconnection attempts a queued command waits through before it fails. */
  maxRetriesPerRequest?: number;
  /** The longest pause between reconnection attempts. */
  maxReconnectDelayMs?: number;
}

const urls = new WeakMap<Redis, string>();

export const redactRedisUrl = (url: string) => url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');

/** Builds a client for `redis://[user:password@]host:port[/db]`; it connects on first use. */
export function createRedis(url: string, opts: RedisClientOptions = {}): Redis {
  checkRedisUrl(url);
  const where = redactRedisUrl(url);
  const maxDelay = opts.maxReconnectDelayMs ?? 2_000;
  const client = new Redis(url, {
    lazyConnect: true,
    connectionName: opts.name,
    keyPrefix: opts.keyPrefix,
    connectTimeout: opts.connectTimeoutMs ?? 2_000,
    maxRetriesPerRequest: opts.maxRetriesPerRequest ?? 1,
    enableOfflineQueue: true,
    // Never give up: the delay is bounded and jittered so replicas do not reconnect in lockstep.
    retryStrategy: (times) => Math.round(Math.min(maxDelay, 50 * 2 ** Math.min(times, 10)) * (0.5 + Math.random() / 2)),
  });
  urls.set(client, where);

  // One warning per outage, not one per reconnection attempt; an 'error' listener is also what
  // keeps ioredis from printing unhandled error events to the console.
  let down = false;
  client.on('error', (err: Error) => {
    if (down) return;
    down = true;
    log.warn({ err, url: where }, 'Redis unreachable; calls fail fast while it reconnects in the background');
  });
  client.on('ready', () => {
    if (down) log.info({ url: where }, 'Redis reachable again');
    down = false;
  });
  return client;
}

/** PING plus the server version: ok, or the reason the client cannot be used. */
export async function checkRedis(client: Redis): Promise<StoreHealth> {
  const where = urls.get(client) ?? 'the configured Redis';
  try {
    const info = await withTimeout(client.info('server'), 5_000, `Redis at ${where} did not answer within 5 s`);
    const version = /redis_version:([^\r\n]+)/.exec(info)?.[1] ?? 'unknown';
    return { ok: true, detail: `Redis ${version} at ${where}` };
  } catch (err) {
    return { ok: false, detail: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Maps an ioredis failure to a LogfedError: "cannot reach Redis" names the URL and the fix;
 * a command error (wrong type, script error) stays a BACKEND_ERROR with the server's words.
 */
export function redisError(client: Redis, err: unknown): LogfedError {
  if (err instanceof LogfedError) return err;
  const where = urls.get(client) ?? 'the configured Redis';
  const e = err instanceof Error ? err : new Error(String(err));
  const code = (e as NodeJS.ErrnoException).code;
  const unreachable =
    e.name === 'MaxRetriesPerRequestError' ||
    /Connection is closed|Stream isn't writeable|connect ETIMEDOUT/.test(e.message) ||
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'ENOTFOUND' ||
    code === 'EHOSTUNREACH';
  if (unreachable) {
    return new LogfedError('BACKEND_UNAVAILABLE', `Redis at ${where} is unreachable (${e.message}): start it with \`npm run services\`, or fix the URL`, { cause: err });
  }
  return new LogfedError('BACKEND_ERROR', `Redis at ${where} refused the command: ${e.message}`, { cause: err });
}

function checkRedisUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new LogfedError('BAD_CONFIG', `redis.url: expected a URL like redis://127.0.0.1:6379, got ${JSON.stringify(redactRedisUrl(String(url)))}`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new LogfedError('BAD_CONFIG', `redis.url: expected the redis:// or rediss:// scheme (redis://127.0.0.1:6379), got ${JSON.stringify(parsed.protocol)}`);
  }
}
