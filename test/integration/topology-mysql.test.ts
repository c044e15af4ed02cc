// Runs the shared TopologyStore contract on the MySQL store against the real MariaDB.
// Every test migrates its own table prefix and drops those tables afterwards, so runs and
// tests never see each other's rows.

import { randomBytes } from 'node:crypto';
import type { Pool } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropPrefixedTables, migrate } from '../../src/store/migrate.js';
import { createMysqlTopologyStore } from '../../src/topology/mysql-store.js';
import { defineTopologyStoreContract } from '../topology-contract/index.js';
import { connectTestMysql } from '../helpers/mysql.js';

let pool: Pool;

beforeAll(async () => {
  pool = await connectTestMysql(4);
});
afterAll(async () => {
  await pool?.end();
});

const newPrefix = () => `t${randomBytes(4).toString('hex')}_`;

defineTopologyStoreContract('mysql', async () => {
  const tablePrefix = newPrefix();
  await migrate(pool, { tablePrefix });
  return {
    store: createMysqlTopologyStore(pool, { tablePrefix }),
    cleanup: async () => {
      await dropPrefixedTables(pool, tablePrefix);
    },
  };
});

describe('mysql topology store specifics', () => {
  it('keeps two prefixes apart', async () => {
    const [a, b] = [newPrefix(), newPrefix()];
    await Promise.all([migrate(pool, { tablePrefix: a }), migrate(pool, { tablePrefix: b })]);
    try {
      await createMysqlTopologyStore(pool, { tablePrefix: a }).upsertDomain({ name: 'shop' });
      expect(await createMysqlTopologyStore(pool, { tablePrefix: b }).listDomains()).toStrictEqual([]);
    } finally {
      await dropPrefixedTables(pool, a);
      await dropPrefixedTables(pool, b);
    }
  });

  it('refuses a table prefix that could break out of an identifier', () => {
    expect(() => createMysqlTopologyStore(pool, { tablePrefix: 'x`; DROP TABLE y; --' })).toThrow(/tablePrefix/);
  });

  it('reports a missing table as a backend error with a stable code', async () => {
    const store = createMysqlTopologyStore(pool, { tablePrefix: newPrefix() });
    await expect(store.listDomains()).rejects.toMatchObject({ code: 'BACKEND_ERROR' });
  });

  it('stores each domain, logstore and mapping row once however often it is re-added', async () => {
    const tablePrefix = newPrefix();
    await migrate(pool, { tablePrefix });
    try {
      const store = createMysqlTopologyStore(pool, { tablePrefix });
      await store.upsertDomain({ name: 'shop' });
      await store.upsertDomain({ name: 'pay' });
      const mapping = { fromDomain: 'shop', fromTraceId: 't1', toDomain: 'pay', toTraceId: 'p1' };
      await Promise.all([1, 2, 3].map(() => store.addGatewayMapping(mapping)));
      await Promise.all([1, 2, 3].map(() => store.addAppFiles('shop', 'cart', ['app.log'])));
      const [[gm], [files]] = await Promise.all([
        pool.query(`SELECT COUNT(*) AS n FROM \`${tablePrefix}gateway_mappings\``),
        pool.query(`SELECT COUNT(*) AS n FROM \`${tablePrefix}app_files\``),
      ]);
      expect(Number((gm as Array<{ n: number }>)[0].n)).toBe(1);
      expect(Number((files as Array<{ n: number }>)[0].n)).toBe(1);
    } finally {
      await dropPrefixedTables(pool, tablePrefix);
    }
  });
});
