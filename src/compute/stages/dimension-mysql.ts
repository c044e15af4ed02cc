// The production loader of dimension tables: runs a dimension rule's SELECT on MySQL/MariaDB
// (mysql2) and hands the rows to DimensionTable, which owns caching and refresh. Kept apart so
// the enrich logic stays testable with an in-memory loader.

import mysql, { type Pool, type PoolOptions } from 'mysql2/promise';
import type { DimensionRule } from '../rules/index.js';
import type { Loader, Row } from './dimension.js';

/** A loader factory on an existing pool (the caller owns and closes the pool). */
export function createMysqlDimensionLoader(pool: Pool): (rule: DimensionRule) => Loader {
  return (rule) => async () => {
    const [rows] = await pool.query({ sql: rule.sql, timeout: rule.timeoutMs });
    if (!Array.isArray(rows)) throw new Error('the query returned no result set (expected a SELECT)');
    return rows as Row[];
  };
}

/** A pool of its own from a URI or options, with the loader factory and a way to close it. */
export function mysqlDimensionSource(config: string | PoolOptions): { loadDimension: (rule: DimensionRule) => Loader; close: () => Promise<void> } {
  // Few connections: tables refresh every few minutes, never on the event path.
  const pool = typeof config === 'string' ? mysql.createPool({ uri: config, connectionLimit: 2 }) : mysql.createPool({ connectionLimit: 2, ...config });
  return { loadDimension: createMysqlDimensionLoader(pool), close: () => pool.end() };
}
