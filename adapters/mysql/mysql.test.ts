import { createPool, type Pool } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Target } from '../../src/query/types.js';
import type { Layout } from '../../src/topology/types.js';
import { mysqlAdapterError } from './errors.js';
import { createMysqlAdapter } from './index.js';

const MYSQL_URL = process.env.LOGFED_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
const T0 = Date.UTC(2026, 10, 21, 10);
const table = `logfed_mysql_unit_${process.pid}`;
const ftTable = `${table}_ft`;

function target(location: Record<string, unknown>, layout: Layout = 'env', app?: string): Target {
  return { id: 't', domain: 'shop', env: 'prod', logstore: { id: 'store-1', domain: 'shop', env: 'prod', layout, app, backend: 'mysql', location } };
}
const all = { from: 0, to: Number.MAX_SAFE_INTEGER, keywords: { include: [], exclude: [] } };
const signal = () => new AbortController().signal;

describe('mysql adapter', () => {
  let pool: Pool;
  const adapter = createMysqlAdapter({ url: MYSQL_URL });
  beforeAll(async () => {
    pool = createPool({ uri: MYSQL_URL, connectionLimit: 3 });
    await pool.query(`DROP TABLE IF EXISTS ${table}, ${ftTable}`);
    await pool.query(`CREATE TABLE ${table} (id BIGINT AUTO_INCREMENT PRIMARY KEY, ts DATETIME(3), level VARCHAR(10), message TEXT, app VARCHAR(20), env VARCHAR(10)) DEFAULT CHARSET=utf8mb4`);
    await pool.query(`INSERT INTO ${table} (ts, level, message, app, env) VALUES ?`, [
      [
        ['2026-11-21 10:00:00.000', 'info', 'order 1 created', 'cart', 'prod'],
        ['2026-11-21 10:00:01.500', 'warning', 'Order 2 slow', 'pay', 'prod'],
        ['2026-11-21 10:00:02.000', 'ERROR', 'reorder failed', 'cart', 'prod'],
        ['2026-11-21 09:00:00.000', 'INFO', 'other env', 'cart', 'daily'],
      ],
    ]);
    await pool.query(`CREATE TABLE ${ftTable} (id INT AUTO_INCREMENT PRIMARY KEY, ts BIGINT, message TEXT, FULLTEXT KEY ft (message)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
    await pool.query(`INSERT INTO ${ftTable} (ts, message) VALUES ?`, [
      [
        [T0, 'order 1 created'],
        [T0 + 1, 'Order 2 created'],
        [T0 + 2, 'reorder 3 created'],
      ],
    ]);
  });
  afterAll(async () => {
    await pool.query(`DROP TABLE IF EXISTS ${table}, ${ftTable}`);
    await pool.end();
    await adapter.close?.();
  });

  it('filters by the target env and app, and normalises levels', async () => {
    const page = await adapter.search({ target: target({ table }, 'app', 'cart'), filter: all, order: 'asc', limit: 10, signal: signal() });
    expect(page.hits.map((h) => [h.event.message, h.event.level, h.event.app, h.event.env])).toEqual([
      ['order 1 created', 'INFO', 'cart', 'prod'],
      ['reorder failed', 'ERROR', 'cart', 'prod'],
    ]);
    const warn = await adapter.search({ target: target({ table }), filter: { ...all, levels: ['WARN'] }, order: 'asc', limit: 10, signal: signal() });
    expect(warn.hits.map((h) => h.event.message)).toEqual(['Order 2 slow']);
  });

  it('reports time bounds of the target with MIN/MAX', async () => {
    expect(await adapter.timeBounds!(target({ table }).logstore, signal())).toEqual({ minTs: T0, maxTs: T0 + 2000 });
  });

  it('full-text mode matches whole words, exactly as to case', async () => {
    const page = await adapter.search({
      target: target({ table: ftTable, fulltext: true }),
      filter: { ...all, keywords: { include: ['order'], exclude: [] } },
      order: 'asc',
      limit: 10,
      signal: signal(),
    });
    // "Order" differs in case; "reorder" holds the substring but not the word.
    expect(page.hits.map((h) => h.event.message)).toEqual(['order 1 created']);
  });

  it('says which table or column is missing', async () => {
    const fail = (location: Record<string, unknown>) =>
      adapter.search({ target: target(location), filter: all, order: 'desc', limit: 1, signal: signal() }).catch((e: unknown) => e);
    expect(await fail({ table: 'no_such_logs_table' })).toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/no_such_logs_table does not exist/) });
    expect(await fail({ table, columns: { traceId: 'trace' } })).toMatchObject({ code: 'BAD_CONFIG', message: expect.stringMatching(/location\.columns\.traceId: .*no column trace/) });
  });

  it('refuses bad adapter config by name', () => {
    expect(() => createMysqlAdapter({ url: 'postgres://x' })).toThrow(/config\.url: expected mysql:\/\//);
    expect(() => createMysqlAdapter({} as never)).toThrow(/expected \{ url: .* \} or \{ pool \}/);
    expect(() => createMysqlAdapter({ url: MYSQL_URL, poolSize: 3 } as never)).toThrow(/Unrecognized key.*poolSize/);
  });

  it('cancels a statement that waits on a lock, and frees its connection', async () => {
    const locker = await pool.getConnection();
    try {
      await locker.query(`LOCK TABLES ${table} WRITE`);
      const ac = new AbortController();
      const running = adapter.search({ target: target({ table }), filter: all, order: 'desc', limit: 5, signal: ac.signal });
      // Give the statement time to reach the server and block on the lock.
      await new Promise((r) => setTimeout(r, 200));
      ac.abort();
      await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
    } finally {
      await locker.query('UNLOCK TABLES');
      locker.release();
    }
    const page = await adapter.search({ target: target({ table }), filter: all, order: 'desc', limit: 5, signal: signal() });
    expect(page.hits).toHaveLength(3);
  });

  it('maps driver errors to stable codes', () => {
    const err = (code: string) => Object.assign(new Error(code), { code });
    expect(mysqlAdapterError(err('ER_LOCK_DEADLOCK'))).toMatchObject({ code: 'BACKEND_UNAVAILABLE', retriable: true });
    expect(mysqlAdapterError(err('ECONNREFUSED'), 'logs')).toMatchObject({ code: 'BACKEND_UNAVAILABLE', message: expect.stringMatching(/table logs/) });
    expect(mysqlAdapterError(err('ER_FT_MATCHING_KEY_NOT_FOUND'))).toMatchObject({ code: 'BAD_CONFIG', message: expect.stringMatching(/FULLTEXT index/) });
    expect(mysqlAdapterError(err('ER_SOMETHING_NEW'))).toMatchObject({ code: 'BACKEND_ERROR', retriable: false });
  });
});
