// A real round trip through createMysqlPool against the MariaDB that scripts/services.sh runs:
// bound parameters, UTC dates and big integers as the rest of Logfed expects them, and the
// message a caller gets when the server cannot be reached.

import { randomBytes } from 'node:crypto';
import type { Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogfedError } from '../../src/errors/index.js';
import { checkMysql, createMysqlPool } from '../../src/store/mysql.js';

const MYSQL_URL = process.env.LOGFED_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
const table = `logfed_it_${randomBytes(5).toString('hex')}`;
let pool: Pool;

beforeAll(async () => {
  pool = createMysqlPool(MYSQL_URL, { connectionLimit: 4 });
  const health = await checkMysql(pool);
  if (!health.ok) throw new Error(`MariaDB at ${MYSQL_URL} does not answer (${health.detail}): run \`npm run services\``);
});

afterAll(async () => {
  await pool?.query(`DROP TABLE IF EXISTS \`${table}\``);
  await pool?.end();
});

describe('mysql pool', () => {
  it('reports the server it reached', async () => {
    const health = await checkMysql(pool);
    expect(health.ok).toBe(true);
    expect(health.detail).toMatch(/^(MariaDB|MySQL) \S+ at mysql:\/\/root@127\.0\.0\.1:3306\/test$/);
  });

  it('creates a table, inserts with bound parameters, reads the rows back and drops it', async () => {
    await pool.query(`CREATE TABLE \`${table}\` (id BIGINT PRIMARY KEY, ts DATETIME(3) NOT NULL, message VARCHAR(255) NOT NULL)`);
    const big = '9007199254740993'; // 2^53 + 1: a double would silently turn it into ...992
    const at = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678));
    const hostile = "it's a '; DROP TABLE x; -- message";
    const [insert] = await pool.execute<ResultSetHeader>(`INSERT INTO \`${table}\` (id, ts, message) VALUES (?, ?, ?), (?, ?, ?)`, [big, at, hostile, '7', at, 'plain']);
    expect(insert.affectedRows).toBe(2);

    const [rows] = await pool.query<RowDataPacket[]>(`SELECT id, ts, message FROM \`${table}\` WHERE message = ? OR id = ? ORDER BY message`, [hostile, 7]);
    expect(rows).toHaveLength(2);
    const byMessage = Object.fromEntries(rows.map((r) => [r.message as string, r]));
    expect(String(byMessage[hostile]!.id)).toBe(big);
    expect(byMessage[hostile]!.ts).toBeInstanceOf(Date);
    expect((byMessage[hostile]!.ts as Date).getTime()).toBe(at.getTime());
    expect(Number(byMessage.plain!.id)).toBe(7);

    // The same row seen by the server, to show the date was stored as UTC.
    const [asText] = await pool.query<RowDataPacket[]>(`SELECT DATE_FORMAT(ts, '%Y-%m-%d %H:%i:%s.%f') AS t FROM \`${table}\` WHERE id = 7`);
    expect(asText[0]!.t).toBe('2024-01-02 03:04:05.678000');

    await pool.query(`DROP TABLE \`${table}\``);
    const [left] = await pool.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?', [table]);
    expect(Number(left[0]!.n)).toBe(0);
  });

  it('names the URL without its password, and the fix, when the server cannot be reached', async () => {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    const down = createMysqlPool('mysql://root:s3cret@127.0.0.1:1/test', { connectTimeoutMs: 2_000 });
    try {
      const err = await down.query('SELECT 1').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LogfedError);
      expect(err).toMatchObject({ code: 'BACKEND_UNAVAILABLE', retriable: true });
      const message = (err as Error).message;
      expect(message).toContain('mysql://root:***@127.0.0.1:1/test');
      expect(message).not.toContain('s3cret');
      expect(message).toContain('npm run services');
      expect((await checkMysql(down)).ok).toBe(false);
    } finally {
      await down.end();
    }
  });

  it('says which database is missing', async () => {
    const wrongDb = createMysqlPool(`mysql://root@127.0.0.1:3306/logfed_missing_${randomBytes(4).toString('hex')}`);
    try {
      const err = await wrongDb.query('SELECT 1').catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'BAD_CONFIG' });
      expect((err as Error).message).toMatch(/no such database.*CREATE DATABASE/);
    } finally {
      await wrongDb.end();
    }
  });

  it('rejects a URL that is not mysql://, naming the field', () => {
    expect(() => createMysqlPool('postgres://root@127.0.0.1/test')).toThrow(/mysql\.url: expected the mysql:\/\/ scheme/);
    expect(() => createMysqlPool('not a url')).toThrow(/mysql\.url: expected a URL/);
  });
});
