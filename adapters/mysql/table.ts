// What the adapter knows of a log table before querying it: which configured columns exist and
// how ts and id are typed (DATETIME or epoch ms; integer or text ids), read once from
// information_schema so a wrong location fails with a message that names the missing column.

import type { Pool } from 'mysql2/promise';
import { LogfedError } from '../../src/errors/index.js';
import { COLUMN_NAMES, DEFAULT_COLUMNS, REQUIRED_COLUMNS, type ColumnName, type ParsedLocation } from './location.js';

export type TsKind = 'datetime' | 'epoch_ms';

export interface TableSpec {
  table: string;
  /** The column of each event field, or undefined where the table has none. */
  cols: Partial<Record<ColumnName, string>>;
  tsKind: TsKind;
  intId: boolean;
  fulltext: boolean;
}

const DATETIME_TYPES = new Set(['datetime', 'timestamp']);
const NUMBER_TYPES = new Set(['bigint', 'int', 'mediumint', 'decimal', 'double']);
const INT_TYPES = new Set(['bigint', 'int', 'mediumint', 'smallint', 'tinyint']);

/** Builds the spec from the table's columns (name → lower-case data type). */
export function tableSpec(loc: ParsedLocation, columns: Map<string, string>): TableSpec {
  if (columns.size === 0) throw new LogfedError('NOT_FOUND', `location.table: table ${loc.table} does not exist in the database`);
  const cols: Partial<Record<ColumnName, string>> = {};
  const lower = new Map([...columns.keys()].map((c) => [c.toLowerCase(), c]));
  for (const name of COLUMN_NAMES) {
    const configured = loc.columns?.[name];
    const actual = lower.get((configured ?? DEFAULT_COLUMNS[name]).toLowerCase());
    if (actual) cols[name] = actual;
    else if (configured || REQUIRED_COLUMNS.includes(name)) {
      throw new LogfedError(
        'BAD_CONFIG',
        `location.columns.${name}: table ${loc.table} has no column ${configured ?? DEFAULT_COLUMNS[name]} (its columns: ${[...columns.keys()].join(', ')})`,
      );
    }
  }
  const tsType = columns.get(cols.ts!)!;
  const tsKind: TsKind | undefined = DATETIME_TYPES.has(tsType) ? 'datetime' : NUMBER_TYPES.has(tsType) ? 'epoch_ms' : undefined;
  if (!tsKind) {
    throw new LogfedError('BAD_CONFIG', `location.columns.ts: column ${cols.ts} is ${tsType}; expected DATETIME/TIMESTAMP or a number of epoch milliseconds`);
  }
  return { table: loc.table, cols, tsKind, intId: INT_TYPES.has(columns.get(cols.id!)!), fulltext: loc.fulltext };
}

/** Reads and caches table specs per location. A schema change is picked up after `forget`. */
export class TableCache {
  private readonly map = new Map<string, Promise<TableSpec>>();

  constructor(private readonly pool: Pool) {}

  get(loc: ParsedLocation): Promise<TableSpec> {
    const key = JSON.stringify(loc);
    let p = this.map.get(key);
    if (!p) {
      p = this.read(loc);
      this.map.set(key, p);
      p.catch(() => this.map.delete(key));
    }
    return p;
  }

  forget(loc: ParsedLocation): void {
    this.map.delete(JSON.stringify(loc));
  }

  private async read(loc: ParsedLocation): Promise<TableSpec> {
    const [rows] = await this.pool.query(
      'SELECT COLUMN_NAME AS name, DATA_TYPE AS type FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?',
      [loc.table],
    );
    const columns = new Map((rows as Array<{ name: string; type: string }>).map((r) => [r.name, String(r.type).toLowerCase()]));
    return tableSpec(loc, columns);
  }
}
