// The MySQL/MariaDB adapter: searches logs kept in a table. Time, env/app/file, levels, trace id
// and keywords become one keyset-paged SELECT; the regex (and full-text exactness) is applied in
// process over further batches until the page is full. Positions are (ts, id).

import { createPool, type Pool, type PoolConnection } from 'mysql2/promise';
import { normaliseLevel, type LogEvent } from '../../src/core/event.js';
import { LogfedError, badInput } from '../../src/errors/index.js';
import { counter } from '../../src/observe/metrics.js';
import { compileFilter } from '../../src/query/match.js';
import type { Adapter, Hit, SearchPage, SearchRequest, Target } from '../../src/query/types.js';
import type { Logstore } from '../../src/topology/types.js';
import { FULL_CAPABILITIES, measured } from '../_shared/measure.js';
import { mysqlAdapterError } from './errors.js';
import { parseLocation, parseMysqlConfig, type MysqlAdapterConfig } from './location.js';
import { ALIAS, buildBounds, buildPage, rowTs, type Cursor } from './sql.js';
import { TableCache, type TableSpec } from './table.js';

export type { MysqlAdapterConfig, MysqlLocation } from './location.js';

const rowsRead = counter('logfed_adapter_mysql_rows_total', 'Rows the MySQL adapter fetched, before in-process filters');

export function encodeCursor(c: Cursor): string {
  return `m1.${c.ts}.${Buffer.from(c.id).toString('base64url')}`;
}

export function decodeCursor(pos: string): Cursor {
  const m = /^m1\.(-?\d+)\.([A-Za-z0-9_-]+)$/.exec(pos);
  if (!m) throw badInput(`after: expected a position returned by the mysql adapter (m1.<ts>.<id>), got ${JSON.stringify(pos.slice(0, 80))}`);
  return { ts: Number(m[1]), id: Buffer.from(m[2]!, 'base64url').toString() };
}

const cancelled = (signal: AbortSignal) => new LogfedError('CANCELLED', 'search cancelled', { cause: signal.reason });

/** Rejects as soon as the signal aborts; a late result is handed to `discard`. */
function abortable<T>(p: Promise<T>, signal: AbortSignal, discard?: (v: T) => void): Promise<T> {
  if (signal.aborted) {
    p.then(discard, () => undefined);
    return Promise.reject(cancelled(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      p.then(discard, () => undefined);
      reject(cancelled(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) discard?.(v);
        else resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function ownPool(url: string, connectionLimit: number): Pool {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || parsed.protocol !== 'mysql:' || !parsed.hostname) {
    throw new LogfedError('BAD_CONFIG', `mysql adapter config.url: expected mysql://user:password@host:3306/database, got ${JSON.stringify(url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@'))}`);
  }
  const pool = createPool({ uri: url, connectionLimit, waitForConnections: true, supportBigNumbers: true, bigNumberStrings: true, timezone: 'Z' });
  // TIMESTAMP columns are converted to the session zone: read them as UTC.
  pool.on('connection', (conn) => {
    conn.query("SET time_zone = '+00:00'");
  });
  return pool;
}

export function createMysqlAdapter(config: MysqlAdapterConfig): Adapter {
  const cfg = parseMysqlConfig(config);
  const owned = 'url' in cfg;
  const pool: Pool = 'url' in cfg ? ownPool(cfg.url, cfg.connectionLimit) : (cfg.pool as Pool);
  const tables = new TableCache(pool);

  /** Runs fn on one connection; an abort kills the running statement and drops the connection. */
  const withConnection = async <T>(signal: AbortSignal, fn: (conn: PoolConnection) => Promise<T>): Promise<T> => {
    const conn = await abortable(pool.getConnection(), signal, (c) => c.release());
    let dropped = false;
    const onAbort = () => {
      dropped = true;
      pool.query('KILL QUERY ?', [conn.threadId]).catch(() => undefined);
      conn.destroy();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      return await abortable(fn(conn), signal);
    } finally {
      signal.removeEventListener('abort', onAbort);
      if (!dropped) conn.release();
    }
  };

  const toEvent = (spec: TableSpec, target: Target, row: Record<string, unknown>): LogEvent => {
    const text = (v: unknown) => (v === null || v === undefined ? undefined : Buffer.isBuffer(v) ? v.toString('utf8') : String(v));
    const host = text(row[ALIAS.host]);
    const level = normaliseLevel(text(row[ALIAS.level]));
    const traceId = text(row[ALIAS.traceId]);
    return {
      ts: rowTs(spec, row[ALIAS.ts]),
      domain: target.domain,
      env: target.env,
      app: text(row[ALIAS.app]) ?? target.logstore.app ?? '',
      file: text(row[ALIAS.file]) ?? target.logstore.file ?? '',
      ...(host ? { host } : {}),
      ...(level ? { level } : {}),
      ...(traceId ? { traceId } : {}),
      message: text(row[ALIAS.message]) ?? '',
    };
  };

  const search = async (req: SearchRequest): Promise<SearchPage> => {
    if (!Number.isInteger(req.limit) || req.limit < 0) throw badInput(`limit: expected a whole number >= 0, got ${req.limit}`);
    if (req.order !== 'asc' && req.order !== 'desc') throw badInput(`order: expected "asc" or "desc", got ${JSON.stringify(req.order)}`);
    if (req.signal.aborted) throw cancelled(req.signal);
    const { target, filter, order, signal } = req;
    const loc = parseLocation(target.logstore);
    const after = req.after === undefined ? undefined : decodeCursor(req.after);
    if (filter.from >= filter.to) return { hits: [], done: true };
    const spec = await abortable(tables.get(loc), signal);
    // SQL narrows; the in-process check makes the answer exact (regex, full-text words, collations).
    const matches = compileFilter(filter);
    const apps = target.apps?.length ? new Set(target.apps) : undefined;
    const files = target.files?.length ? new Set(target.files) : undefined;
    const accept = (e: LogEvent) => matches(e) && (!apps || apps.has(e.app)) && (!files || files.has(e.file));
    const need = req.limit + 1;
    const thinned = Boolean(filter.regex) || spec.fulltext || (apps && !spec.cols.app) || (files && !spec.cols.file);
    const batch = thinned ? Math.min(Math.max(need * 4, 100), cfg.maxBatch) : need;
    const out: Hit[] = [];
    let cursor = after;
    try {
      await withConnection(signal, async (conn) => {
        for (;;) {
          const q = buildPage(spec, { target, filter, order, limit: batch, after: cursor });
          const [rows] = await conn.query(q.sql, q.params);
          const list = rows as Array<Record<string, unknown>>;
          rowsRead.inc(list.length);
          for (const row of list) {
            const event = toEvent(spec, target, row);
            cursor = { ts: event.ts, id: String(row[ALIAS.id]) };
            if (accept(event)) out.push({ event, pos: encodeCursor(cursor) });
            if (out.length === need) return;
          }
          if (list.length < batch) return;
          if (signal.aborted) throw cancelled(signal);
        }
      });
    } catch (err) {
      if ((err as { code?: string }).code === 'ER_BAD_FIELD_ERROR') tables.forget(loc);
      throw err;
    }
    return { hits: out.slice(0, req.limit), done: out.length <= req.limit };
  };

  return {
    kind: 'mysql',
    capabilities: FULL_CAPABILITIES,

    search: (req) => measured('mysql', () => search(req), (err) => mysqlAdapterError(err, (req.target.logstore.location as { table?: string }).table)),

    async timeBounds(store: Logstore, signal: AbortSignal) {
      const loc = parseLocation(store);
      try {
        const spec = await abortable(tables.get(loc), signal);
        const q = buildBounds(spec, { id: store.id, logstore: store, domain: store.domain, env: store.env });
        const [rows] = await withConnection(signal, (conn) => conn.query(q.sql, q.params));
        const row = (rows as Array<Record<string, unknown>>)[0] ?? {};
        const read = (v: unknown) => (v === null || v === undefined ? undefined : rowTs(spec, v));
        return { minTs: read(row.lf_min), maxTs: read(row.lf_max) };
      } catch (err) {
        throw mysqlAdapterError(err, loc.table);
      }
    },

    async close() {
      if (owned) await pool.end();
    },
  };
}
