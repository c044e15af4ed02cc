// The MySQL/MariaDB connection pool every MySQL-backed part shares (topology, rules, patterns,
// metrics, the MySQL adapter). A failure to reach the server becomes one LogfedError that names
// the URL (never its password) and the fix, wherever in the code the query was made.

import { createPool, type Pool, type PoolConnection } from 'mysql2/promise';
import { LogfedError } from '../errors/index.js';

export interface MysqlPoolOptions {
  /** Connections kept at most; queries beyond that wait for a free one. */
  connectionLimit?: number;
  connectTimeoutMs?: number;
}

export interface StoreHealth {
  ok: boolean;
  detail: string;
}

const urls = new WeakMap<Pool, string>();
const wrapped = new WeakSet<object>();

/** The URL with its password replaced, fit for logs and error messages. */
export const redactMysqlUrl = (url: string) => url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');

// Driver codes that mean "the server cannot be used at all", as opposed to a bad statement.
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_ACCESS_DENIED_ERROR',
  'ER_DBACCESS_DENIED_ERROR',
  'ER_BAD_DB_ERROR',
]);

/**
 * Builds a pool from `mysql://user:password@host:port/database`. Nothing connects until the first
 * query. Dates are JavaScript Dates read and written as UTC; BIGINTs that do not fit a double
 * come back as strings (supportBigNumbers) instead of silently losing digits.
 */
export function createMysqlPool(url: string, opts: MysqlPoolOptions = {}): Pool {
  checkMysqlUrl(url);
  const pool = createPool({
    uri: url,
    connectionLimit: opts.connectionLimit ?? 10,
    maxIdle: Math.min(4, opts.connectionLimit ?? 10),
    idleTimeout: 60_000,
    waitForConnections: true,
    queueLimit: 0,
    connectTimeout: opts.connectTimeoutMs ?? 5_000,
    enableKeepAlive: true,
    keepAliveInitialDelay: 10_000,
    dateStrings: false,
    supportBigNumbers: true,
    bigNumberStrings: false,
    timezone: 'Z',
  });
  const redacted = redactMysqlUrl(url);
  urls.set(pool, redacted);
  // Every way a caller reaches the server goes through one of these three, so mapping here
  // gives the whole codebase the same message without each call site knowing about it.
  pool.query = mapped(pool.query.bind(pool), redacted);
  pool.execute = mapped(pool.execute.bind(pool), redacted);
  const getConnection = mapped(pool.getConnection.bind(pool), redacted);
  pool.getConnection = async () => {
    const conn = await getConnection();
    // Pooled connections come back again and again: wrap each one once.
    if (!wrapped.has(conn)) {
      wrapped.add(conn);
      conn.query = mapped(conn.query.bind(conn), redacted);
      conn.execute = mapped(conn.execute.bind(conn), redacted);
    }
    return conn;
  };
  return pool;
}

/** One cheap round trip: ok with the server version, or the reason it cannot be used. */
export async function checkMysql(pool: Pool): Promise<StoreHealth> {
  const where = urls.get(pool) ?? 'the configured MySQL';
  try {
    const [rows] = await pool.query({ sql: 'SELECT VERSION() AS version', timeout: 5_000 });
    const version = String((rows as Array<{ version: string }>)[0]?.version ?? 'unknown');
    return { ok: true, detail: `${version.includes('MariaDB') ? 'MariaDB' : 'MySQL'} ${version} at ${where}` };
  } catch (err) {
    const cause = err instanceof LogfedError && err.cause instanceof Error ? err.cause : err;
    return { ok: false, detail: cause instanceof Error ? cause.message || String((cause as NodeJS.ErrnoException).code) : String(cause) };
  }
}

/** Turns a driver error into LogfedError when it means the server cannot be used; others pass unchanged. */
export function mysqlError(err: unknown, where: string): unknown {
  if (err instanceof LogfedError || !(err instanceof Error)) return err;
  const code = (err as NodeJS.ErrnoException).code ?? '';
  if (!CONNECTION_CODES.has(code)) return err;
  const reason = err.message || code;
  let message: string;
  if (code === 'ER_ACCESS_DENIED_ERROR' || code === 'ER_DBACCESS_DENIED_ERROR') {
    message = `MySQL at ${where} refused the login (${reason}): fix the user and password in the URL`;
  } else if (code === 'ER_BAD_DB_ERROR') {
    message = `MySQL at ${where} has no such database (${reason}): create it (CREATE DATABASE ...) or fix the database in the URL`;
  } else {
    message = `MySQL at ${where} is unreachable (${reason}): start it with \`npm run services\`, or fix the URL`;
  }
  const unavailable = !code.startsWith('ER_') || code === 'ER_CON_COUNT_ERROR';
  return new LogfedError(unavailable ? 'BACKEND_UNAVAILABLE' : 'BAD_CONFIG', message, { cause: err, details: { url: where, driverCode: code } });
}

function mapped<F extends (...args: never[]) => Promise<unknown>>(fn: F, where: string): F {
  return (async (...args: Parameters<F>) => {
    try {
      return await fn(...args);
    } catch (err) {
      throw mysqlError(err, where);
    }
  }) as F;
}

function checkMysqlUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new LogfedError('BAD_CONFIG', `mysql.url: expected a URL like mysql://root@127.0.0.1:3306/test, got ${JSON.stringify(redactMysqlUrl(String(url)))}`);
  }
  if (parsed.protocol !== 'mysql:') {
    throw new LogfedError('BAD_CONFIG', `mysql.url: expected the mysql:// scheme (mysql://root@127.0.0.1:3306/test), got ${JSON.stringify(parsed.protocol)}`);
  }
  if (!parsed.hostname) throw new LogfedError('BAD_CONFIG', `mysql.url: the URL names no host: ${redactMysqlUrl(url)}`);
}

/** Runs `work` in one transaction on a connection of its own: committed if it resolves, rolled back if it throws. */
export async function withTransaction<T>(pool: Pool, work: (conn: PoolConnection) => Promise<T>): Promise<T> {
  const conn = await pool.getConnection();
  try {
    await conn.beginTransaction();
    const out = await work(conn);
    await conn.commit();
    return out;
  } catch (err) {
    await conn.rollback().catch(() => undefined);
    throw err;
  } finally {
    conn.release();
  }
}
