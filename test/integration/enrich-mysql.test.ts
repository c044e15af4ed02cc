// Enrichment through a real MariaDB dimension table: a dimension rule's SELECT loads the table
// through the mysql2 loader, process rules enrich events from it, and a refresh after the table
// changes picks up the new rows. Each run uses its own table and drops it afterwards.

import { randomBytes } from 'node:crypto';
import type { Pool } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compilePipeline } from '../../src/compute/pipeline.js';
import { loadRules } from '../../src/compute/rules/index.js';
import { createMysqlDimensionLoader, mysqlDimensionSource } from '../../src/compute/stages/dimension-mysql.js';
import { connectTestMysql, TEST_MYSQL_URL } from '../helpers/mysql.js';

const TABLE = `dim_hosts_${randomBytes(4).toString('hex')}`;
const NOW = Date.parse('2026-11-21T02:20:00Z');
let pool: Pool;

beforeAll(async () => {
  pool = await connectTestMysql(2);
  await pool.query(`CREATE TABLE ${TABLE} (id INT PRIMARY KEY, ip VARCHAR(64), system_name VARCHAR(64), owner VARCHAR(64), sql_table VARCHAR(64), keywords VARCHAR(255))`);
  await pool.query(`INSERT INTO ${TABLE} VALUES
    (1, '10.0.0.1', 'orders', 'alice', 't_order', 'payment|timeout'),
    (2, '10.0.0.2', 'payments', 'bob', 't_order_item', 'refund'),
    (3, NULL, 'stock', 'carol', 'shop.stock', NULL)`);
});
afterAll(async () => {
  await pool?.query(`DROP TABLE IF EXISTS ${TABLE}`);
  await pool?.end();
});

const rules = (sql: string) => `
- { id: access, kind: dataType, version: 1, online: true, format: json, identify: { fields: { src: access } } }
- { id: access-enriched, kind: dataType, version: 1, online: true }
- { id: access-parse, kind: parse, version: 1, online: true, dataType: access, parser: { type: json }, map: { ts: t, host: ip, message: msg } }
- { id: hosts, kind: dimension, version: 1, online: true, sql: "${sql}", refreshSeconds: 60 }
- id: by-host
  kind: process
  version: 1
  online: true
  from: access
  to: access-enriched
  steps:
    - op: enrich
      dimension: hosts
      match: [{ kind: equals, column: ip, field: host }, { kind: containsAll, column: keywords, field: message }]
      set: { system: system_name, owner: owner }
      defaults: { system: unknown }
    - op: enrich
      dimension: hosts
      match: [{ kind: sqlToken, column: sql_table, field: query, ignoreCase: true }]
      set: { table_owner: owner }
`;

const record = (body: object) => ({ value: Buffer.from(JSON.stringify({ src: 'access', t: 1795227302, ...body })), topic: 'access', partition: 0 });

describe('enrichment from a MariaDB dimension table', () => {
  it('loads the table, enriches by every match kind, and refreshes after the table changes', async () => {
    const { rules: parsed, rejected } = loadRules(rules(`SELECT ip, system_name, owner, sql_table, keywords FROM ${TABLE} ORDER BY id`), 'yaml');
    expect(rejected).toEqual([]);
    const pipeline = compilePipeline(parsed, { loadDimension: createMysqlDimensionLoader(pool) });
    try {
      expect(await pipeline.start()).toEqual({ hosts: true });
      const enriched = (body: object) => pipeline.process(record(body), NOW).events.find((e) => e.fields!._type === 'access-enriched')!.fields;

      expect(enriched({ ip: '10.0.0.1', msg: 'payment gateway timeout', query: 'select * from T_ORDER where id=1' })).toMatchObject({
        system: 'orders', owner: 'alice', table_owner: 'alice',
      });
      expect(enriched({ ip: '10.0.0.1', msg: 'payment ok', query: 'select * from t_order_item' })).toMatchObject({ system: 'unknown', table_owner: 'bob' });
      expect(enriched({ ip: '10.0.0.9', msg: 'x', query: 'update shop.stock set n=1' })).toMatchObject({ system: 'unknown', table_owner: 'carol' });

      await pool.query(`UPDATE ${TABLE} SET owner = 'dave' WHERE id = 1`);
      await pool.query(`INSERT INTO ${TABLE} VALUES (4, '10.0.0.9', 'search', 'erin', NULL, 'x')`);
      expect(await pipeline.refreshDimensions()).toEqual({ hosts: true });
      expect(enriched({ ip: '10.0.0.1', msg: 'timeout in payment', query: 'select 1' })).toMatchObject({ system: 'orders', owner: 'dave' });
      expect(enriched({ ip: '10.0.0.9', msg: 'x', query: 'select 1' })).toMatchObject({ system: 'search', owner: 'erin' });
      expect(pipeline.stats().dimensions.hosts).toMatchObject({ rows: 4, refreshes: 2, failures: 0 });
    } finally {
      pipeline.close();
    }
  });

  it('keeps the last good rows when the query starts failing, and counts the failure', async () => {
    const source = mysqlDimensionSource(TEST_MYSQL_URL);
    const copy = `${TABLE}_copy`;
    await pool.query(`CREATE TABLE ${copy} AS SELECT * FROM ${TABLE}`);
    const { rules: parsed } = loadRules(rules(`SELECT ip, system_name, owner, sql_table, keywords FROM ${copy} ORDER BY id`), 'yaml');
    const pipeline = compilePipeline(parsed, { loadDimension: source.loadDimension });
    try {
      expect(await pipeline.start()).toEqual({ hosts: true });
      await pool.query(`DROP TABLE ${copy}`);
      expect(await pipeline.refreshDimensions()).toEqual({ hosts: false });
      const stats = pipeline.stats().dimensions.hosts!;
      expect(stats).toMatchObject({ refreshes: 1, failures: 1 });
      expect(stats.lastError).toContain(copy);
      const events = pipeline.process(record({ ip: '10.0.0.2', msg: 'refund', query: '' }), NOW).events;
      expect(events.find((e) => e.fields!._type === 'access-enriched')!.fields).toMatchObject({ system: 'payments', owner: 'bob' });
    } finally {
      pipeline.close();
      await pool.query(`DROP TABLE IF EXISTS ${copy}`);
      await source.close();
    }
  });
});
