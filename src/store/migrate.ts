// Versioned SQL migrations for every MySQL-backed concern (topology, patterns, rules, metrics).
// Runs at start: applies the numbered `NNN_name.sql` files not yet recorded in
// `<prefix>migrations`, one process at a time, and refuses to run over an edited history.

import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import { LogfedError, badInput, toLogfedError } from '../errors/index.js';
import { log } from '../observe/logger.js';

const logger = log.child({ component: 'migrate' });

export const DEFAULT_TABLE_PREFIX = 'logfed_';
export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
const FILE_RE = /^(\d+)_([a-z0-9_]+)\.sql$/;
const PREFIX_RE = /^[a-z0-9_]{0,32}$/;

export interface MigrateOptions {
  /** Folder of `NNN_name.sql` files; defaults to the migrations shipped beside this module. */
  dir?: string;
  /** Substituted for `${prefix}` in the SQL; lets tests and shared databases keep tables apart. */
  tablePrefix?: string;
  /** How long to wait for another process that is migrating the same tables. */
  lockTimeoutSeconds?: number;
}

export interface Migration {
  version: number;
  name: string;
  file: string;
  sql: string;
  checksum: string;
}

export interface MigrateResult {
  /** Files applied by this call, in order. */
  applied: string[];
  /** Highest version now applied (0 when none). */
  version: number;
}

/** Table prefixes end up inside SQL identifiers, so only a safe alphabet is accepted. */
export function checkTablePrefix(prefix: unknown, field = 'tablePrefix'): string {
  if (typeof prefix !== 'string' || !PREFIX_RE.test(prefix)) {
    throw badInput(`${field}: expected lowercase letters, digits and '_' (at most 32), got ${JSON.stringify(prefix)}`, { field });
  }
  return prefix;
}

/** Reads and orders the migration files of a folder; a misnamed or duplicate file is an error, not a skip. */
export async function loadMigrations(dir: string = DEFAULT_MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const byVersion = new Map<number, Migration>();
  for (const file of files) {
    const m = FILE_RE.exec(file);
    if (!m) throw new LogfedError('BAD_CONFIG', `migration ${join(dir, file)}: expected a name like 001_topology.sql (NNN_lowercase_words.sql), got ${JSON.stringify(file)}`);
    const version = Number(m[1]);
    const other = byVersion.get(version);
    if (other) throw new LogfedError('BAD_CONFIG', `migrations ${other.file} and ${file} in ${dir} share version ${version}; renumber one`);
    // Line endings do not change what a migration does, so they do not change its checksum.
    const sql = (await readFile(join(dir, file), 'utf8')).replace(/\r\n/g, '\n');
    byVersion.set(version, { version, name: m[2], file, sql, checksum: createHash('sha256').update(sql).digest('hex') });
  }
  return [...byVersion.values()].sort((a, b) => a.version - b.version);
}

/** Substitutes `${prefix}`; any other `${...}` is most likely a typo and is refused. */
export function renderSql(migration: Pick<Migration, 'file' | 'sql'>, prefix: string): string {
  return migration.sql.replace(/\$\{([^}]*)\}/g, (_, name: string) => {
    if (name === 'prefix') return prefix;
    throw new LogfedError('BAD_CONFIG', `migration ${migration.file}: unknown placeholder \${${name}}; only \${prefix} is substituted`);
  });
}

/**
 * Splits a script into statements on `;` outside quotes and comments, since pools are not
 * opened with multipleStatements. DELIMITER blocks (stored procedures) are not supported.
 */
export function splitSql(sql: string): string[] {
  const out: string[] = [];
  let current = '';
  let meaningful = false;
  let i = 0;
  const push = () => {
    if (meaningful) out.push(current.trim());
    current = '';
    meaningful = false;
  };
  while (i < sql.length) {
    const c = sql[i];
    const next = sql[i + 1];
    if (c === '-' && next === '-' && /\s/.test(sql[i + 2] ?? ' ')) {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end + 1;
      current += '\n';
    } else if (c === '#') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end + 1;
      current += '\n';
    } else if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end === -1) throw new LogfedError('BAD_CONFIG', 'unterminated /* comment in SQL');
      i = end + 2;
      current += ' ';
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < sql.length && sql[j] !== c) j += sql[j] === '\\' && c !== '`' ? 2 : 1;
      if (j >= sql.length) throw new LogfedError('BAD_CONFIG', `unterminated ${c} quote in SQL`);
      current += sql.slice(i, j + 1);
      meaningful = true;
      i = j + 1;
    } else if (c === ';') {
      push();
      i++;
    } else {
      current += c;
      if (!/\s/.test(c)) meaningful = true;
      i++;
    }
  }
  push();
  return out;
}

interface AppliedRow extends RowDataPacket {
  version: number;
  name: string;
  checksum: string;
}

// GET_LOCK names are server-wide, so the lock is named after the database and the prefix;
// hashed because MySQL caps lock names at 64 characters.
async function lockName(conn: PoolConnection, prefix: string): Promise<string> {
  const [rows] = await conn.query<RowDataPacket[]>('SELECT DATABASE() AS db');
  const db = String(rows[0]?.db ?? '');
  return `logfed_migrate_${createHash('sha256').update(`${db}\0${prefix}`).digest('hex').slice(0, 40)}`;
}

/** Applies pending migrations. Safe to call from several processes at once; idempotent. */
export async function migrate(pool: Pool, opts: MigrateOptions = {}): Promise<MigrateResult> {
  const prefix = checkTablePrefix(opts.tablePrefix ?? DEFAULT_TABLE_PREFIX);
  const lockTimeout = opts.lockTimeoutSeconds ?? 60;
  const migrations = await loadMigrations(opts.dir);
  const table = `${prefix}migrations`;

  const conn = await pool.getConnection();
  let lock: string | undefined;
  try {
    lock = await lockName(conn, prefix);
    const [got] = await conn.query<RowDataPacket[]>('SELECT GET_LOCK(?, ?) AS ok', [lock, lockTimeout]);
    if (Number(got[0]?.ok) !== 1) {
      lock = undefined;
      throw new LogfedError('SERVICE_UNAVAILABLE', `migrate: another process has held the migration lock for ${table} for over ${lockTimeout}s; is a migration stuck?`);
    }
    await conn.query(
      `CREATE TABLE IF NOT EXISTS \`${table}\` (
        version INT NOT NULL PRIMARY KEY,
        name VARCHAR(200) NOT NULL,
        checksum CHAR(64) NOT NULL,
        applied_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
    );
    const [rows] = await conn.query<AppliedRow[]>(`SELECT version, name, checksum FROM \`${table}\` ORDER BY version`);
    checkHistory(rows, migrations, table);

    const done = new Set(rows.map((r) => r.version));
    const applied: string[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await applyOne(conn, m, prefix, table);
      applied.push(m.file);
      logger.info({ migration: m.file, prefix }, 'migration applied');
    }
    const version = Math.max(0, ...rows.map((r) => r.version), ...migrations.map((m) => m.version));
    return { applied, version };
  } finally {
    if (lock) await conn.query('SELECT RELEASE_LOCK(?)', [lock]).catch(() => undefined);
    conn.release();
  }
}

function checkHistory(rows: readonly AppliedRow[], migrations: readonly Migration[], table: string): void {
  const known = new Map(migrations.map((m) => [m.version, m]));
  for (const row of rows) {
    const m = known.get(row.version);
    if (!m) {
      throw new LogfedError(
        'BAD_CONFIG',
        `migrate: ${table} records version ${row.version} (${row.name}), which this build does not ship; the database is newer than this code`,
      );
    }
    if (m.checksum !== row.checksum) {
      throw new LogfedError(
        'BAD_CONFIG',
        `migrate: ${m.file} was changed after it was applied (checksum applied ${row.checksum.slice(0, 12)}, file now ${m.checksum.slice(0, 12)}); restore the file and put the change in a new migration`,
        { details: { file: m.file, applied: row.checksum, now: m.checksum } },
      );
    }
  }
}

// DDL commits implicitly in MySQL, so a migration cannot be rolled back as a whole; it is
// recorded only after every statement succeeded, and migrations use IF NOT EXISTS so a rerun
// after a partial failure can finish the job.
async function applyOne(conn: PoolConnection, m: Migration, prefix: string, table: string): Promise<void> {
  const statements = splitSql(renderSql(m, prefix));
  for (const [i, statement] of statements.entries()) {
    try {
      await conn.query(statement);
    } catch (err) {
      const cause = toLogfedError(err, 'BACKEND_ERROR');
      throw new LogfedError(cause.code, `migrate: ${m.file} failed at statement ${i + 1} of ${statements.length}: ${cause.message}`, { cause: err });
    }
  }
  await conn.query(`INSERT INTO \`${table}\` (version, name, checksum) VALUES (?, ?, ?)`, [m.version, m.name, m.checksum]);
}

/** Drops every table whose name starts with the prefix; for tests and throwaway setups. */
export async function dropPrefixedTables(pool: Pool, tablePrefix: string): Promise<string[]> {
  const prefix = checkTablePrefix(tablePrefix);
  if (prefix === '') throw badInput('tablePrefix: expected a non-empty prefix, so that no unrelated table is dropped, got ""');
  const conn = await pool.getConnection();
  try {
    const [rows] = await conn.query<RowDataPacket[]>(
      'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE ?',
      [`${prefix.replace(/_/g, '\\_')}%`],
    );
    const names = rows.map((r) => String(r.name));
    if (names.length === 0) return [];
    // Foreign keys between the tables would otherwise dictate the order of the drops.
    await conn.query('SET FOREIGN_KEY_CHECKS = 0');
    try {
      await conn.query(`DROP TABLE IF EXISTS ${names.map((n) => `\`${n}\``).join(', ')}`);
    } finally {
      await conn.query('SET FOREIGN_KEY_CHECKS = 1');
    }
    return names;
  } finally {
    conn.release();
  }
}
