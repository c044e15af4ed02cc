// Tests the migration runner: the SQL splitter on its own, and the runner against the real
// MariaDB with throwaway migration folders and table prefixes.

import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPool, type Pool, type RowDataPacket } from 'mysql2/promise';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dropPrefixedTables, loadMigrations, migrate, renderSql, splitSql } from './migrate.js';

describe('splitSql', () => {
  it('splits on semicolons outside quotes and comments, and drops empty statements', () => {
    const sql = `-- heading; not a statement
CREATE TABLE a (x VARCHAR(3) DEFAULT ';');
/* block; comment */ INSERT INTO a VALUES ('it''s; fine'), ("q\\";"), (\`;\`);
# hash comment;
;;
SELECT 1 -- trailing; comment
`;
    expect(splitSql(sql)).toStrictEqual([
      "CREATE TABLE a (x VARCHAR(3) DEFAULT ';')",
      `INSERT INTO a VALUES ('it''s; fine'), ("q\\";"), (\`;\`)`,
      'SELECT 1',
    ]);
  });

  it('refuses an unterminated quote instead of guessing', () => {
    expect(() => splitSql("SELECT 'open;")).toThrow(/unterminated ' quote/);
  });
});

describe('renderSql', () => {
  it('substitutes ${prefix} and refuses any other placeholder', () => {
    expect(renderSql({ file: '001_a.sql', sql: 'CREATE TABLE `${prefix}x` (y INT)' }, 'p_')).toBe('CREATE TABLE `p_x` (y INT)');
    expect(() => renderSql({ file: '001_a.sql', sql: 'SELECT ${prefx}' }, 'p_')).toThrow(/001_a\.sql: unknown placeholder \$\{prefx\}/);
  });
});

describe('migrate (MariaDB)', () => {
  const url = process.env.LOGFED_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
  let pool: Pool;
  let dir: string;
  let prefix: string;

  beforeAll(() => {
    pool = createPool({ uri: url, connectionLimit: 6 });
  });
  afterAll(async () => {
    await pool.end();
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'logfed-migrations-'));
    prefix = `m${randomBytes(4).toString('hex')}_`;
  });
  afterEach(async () => {
    await dropPrefixedTables(pool, prefix);
    await rm(dir, { recursive: true, force: true });
  });

  const write = (file: string, sql: string) => writeFile(join(dir, file), sql);
  const history = async () =>
    (await pool.query<RowDataPacket[]>(`SELECT version, name, checksum FROM \`${prefix}migrations\` ORDER BY version`))[0].map((r) => [
      r.version,
      r.name,
    ]);
  const rowsOf = async (table: string) => (await pool.query<RowDataPacket[]>(`SELECT * FROM \`${prefix}${table}\` ORDER BY 1`))[0];

  it('applies files in numeric order once, and a later call applies only what is new', async () => {
    // Plain CREATE TABLE and INSERT fail or duplicate if anything runs twice.
    await write('010_second.sql', "INSERT INTO `${prefix}things` VALUES (10, 'second');");
    await write('002_first.sql', "CREATE TABLE `${prefix}things` (id INT PRIMARY KEY, what VARCHAR(20));\nINSERT INTO `${prefix}things` VALUES (2, 'first');");
    await write('README.md', 'not a migration');

    expect(await migrate(pool, { dir, tablePrefix: prefix })).toStrictEqual({ applied: ['002_first.sql', '010_second.sql'], version: 10 });
    expect(await migrate(pool, { dir, tablePrefix: prefix })).toStrictEqual({ applied: [], version: 10 });

    await write('011_third.sql', "INSERT INTO `${prefix}things` VALUES (11, 'third');");
    expect(await migrate(pool, { dir, tablePrefix: prefix })).toStrictEqual({ applied: ['011_third.sql'], version: 11 });
    expect(await history()).toStrictEqual([
      [2, 'first'],
      [10, 'second'],
      [11, 'third'],
    ]);
    expect((await rowsOf('things')).map((r) => r.what)).toStrictEqual(['first', 'second', 'third']);
  });

  it('lets only one of several processes starting together apply each migration', async () => {
    await write('001_make.sql', 'CREATE TABLE `${prefix}once` (id INT PRIMARY KEY);');
    await write('002_fill.sql', 'INSERT INTO `${prefix}once` VALUES (1);');
    const results = await Promise.all([1, 2, 3, 4].map(() => migrate(pool, { dir, tablePrefix: prefix })));
    expect(results.flatMap((r) => r.applied).sort()).toStrictEqual(['001_make.sql', '002_fill.sql']);
    expect(await rowsOf('once')).toHaveLength(1);
  });

  it('refuses to start when an applied migration was edited, naming the file', async () => {
    await write('001_make.sql', 'CREATE TABLE `${prefix}t` (id INT);');
    await migrate(pool, { dir, tablePrefix: prefix });
    await write('001_make.sql', 'CREATE TABLE `${prefix}t` (id BIGINT);');
    await write('002_more.sql', 'CREATE TABLE `${prefix}u` (id INT);');
    await expect(migrate(pool, { dir, tablePrefix: prefix })).rejects.toThrow(/001_make\.sql was changed after it was applied/);
    expect(await history()).toStrictEqual([[1, 'make']]);
  });

  it('ignores line-ending differences in the checksum', async () => {
    await write('001_make.sql', 'CREATE TABLE `${prefix}t` (id INT);\n');
    await migrate(pool, { dir, tablePrefix: prefix });
    await write('001_make.sql', 'CREATE TABLE `${prefix}t` (id INT);\r\n');
    expect(await migrate(pool, { dir, tablePrefix: prefix })).toStrictEqual({ applied: [], version: 1 });
  });

  it('refuses a database that has applied a migration this build does not ship', async () => {
    await write('001_make.sql', 'CREATE TABLE `${prefix}t` (id INT);');
    await write('002_more.sql', 'CREATE TABLE `${prefix}u` (id INT);');
    await migrate(pool, { dir, tablePrefix: prefix });
    await rm(join(dir, '002_more.sql'));
    await expect(migrate(pool, { dir, tablePrefix: prefix })).rejects.toThrow(/records version 2 \(more\), which this build does not ship/);
  });

  it('names the file and statement that failed, and records nothing for it', async () => {
    await write('001_ok.sql', 'CREATE TABLE `${prefix}ok` (id INT);');
    await write('002_bad.sql', 'CREATE TABLE `${prefix}b` (id INT);\nCREATE TABLE oops (;');
    await expect(migrate(pool, { dir, tablePrefix: prefix })).rejects.toThrow(/002_bad\.sql failed at statement 2 of 2/);
    expect(await history()).toStrictEqual([[1, 'ok']]);
  });

  it('refuses misnamed files and two files with one version', async () => {
    await write('1-make.sql', 'SELECT 1;');
    await expect(loadMigrations(dir)).rejects.toThrow(/expected a name like 001_topology\.sql.*"1-make\.sql"/);
    await rm(join(dir, '1-make.sql'));
    await write('003_a.sql', 'SELECT 1;');
    await write('03_b.sql', 'SELECT 1;');
    await expect(loadMigrations(dir)).rejects.toThrow(/003_a\.sql and 03_b\.sql .* share version 3/);
  });

  it('ships migrations that apply cleanly and twice without change', async () => {
    const first = await migrate(pool, { tablePrefix: prefix });
    expect(first.applied).toContain('001_topology.sql');
    expect(await migrate(pool, { tablePrefix: prefix })).toStrictEqual({ applied: [], version: first.version });
  });
});
