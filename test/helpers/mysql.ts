// MariaDB helpers for integration tests: one pool on the test database that fails loudly, with
// the fix, when the server does not answer, and table prefixes unique to a test run.

import { randomBytes } from 'node:crypto';
import { createPool, type Pool } from 'mysql2/promise';

export const TEST_MYSQL_URL = process.env.LOGFED_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

export async function connectTestMysql(connectionLimit = 8): Promise<Pool> {
  const pool = createPool({ uri: TEST_MYSQL_URL, connectionLimit });
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new Error(`MariaDB at ${TEST_MYSQL_URL} does not answer (${(err as Error).message}); run \`npm run services\``);
  }
  return pool;
}

export const newTablePrefix = () => `t${randomBytes(4).toString('hex')}_`;
