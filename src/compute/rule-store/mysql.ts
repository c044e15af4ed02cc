// The rule store on MySQL / MariaDB (compute.rules.source: mysql), for gateways and compute
// instances that share their rules: one row per rule in `<prefix>compute_rules` (migration 003),
// the body checked on every snapshot, saves serialised per rule by a row lock.

import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import { DEFAULT_TABLE_PREFIX, checkTablePrefix } from '../../store/migrate.js';
import { withTransaction } from '../../store/mysql.js';
import type { Rule } from '../rules/index.js';
import { checkStored, isStored, versionAllows } from './common.js';
import type { RuleSnapshot, RuleStore, StoredRule } from './types.js';

export interface MysqlRuleStoreOptions {
  /** Prefix of the tables, as given to `migrate`; defaults to `logfed_`. */
  tablePrefix?: string;
}

const ms = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : v instanceof Date ? v.getTime() : Number(v));

export function createMysqlRuleStore(pool: Pool, opts: MysqlRuleStoreOptions = {}): RuleStore {
  const table = `\`${checkTablePrefix(opts.tablePrefix ?? DEFAULT_TABLE_PREFIX)}compute_rules\``;
  const where = (id: string) => `mysql:${table.replace(/`/g, '')}#${id}`;

  const fromRow = (r: RowDataPacket) => {
    let body: unknown;
    try {
      // MariaDB reports a checked LONGTEXT as JSON, which the driver hands back already parsed.
      body = typeof r.body === 'string' || Buffer.isBuffer(r.body) ? JSON.parse(String(r.body)) : r.body;
    } catch (err) {
      return { id: String(r.id), where: where(String(r.id)), issues: [{ path: `${where(String(r.id))}.body`, message: `not JSON: ${(err as Error).message}` }] };
    }
    // The online column is what setRuleOnline switches; the body follows it. A refresh time is
    // reported only for the version in the row, whoever changed it.
    if (typeof body === 'object' && body !== null) body = { ...(body as object), online: Number(r.online) === 1 };
    return checkStored(body, where(String(r.id)), { updatedAt: ms(r.updated_at), refreshedAt: Number(r.refreshed_version) === Number(r.version) ? ms(r.refreshed_at) : undefined });
  };

  async function readOne(conn: Pool | PoolConnection, id: string, lock: boolean): Promise<StoredRule | undefined> {
    const [rows] = await conn.query<RowDataPacket[]>(`SELECT id, kind, version, online, body, refreshed_at, refreshed_version, updated_at FROM ${table} WHERE id = ?${lock ? ' FOR UPDATE' : ''}`, [id]);
    const row = rows[0];
    if (!row) return undefined;
    const one = fromRow(row);
    return isStored(one) ? one : undefined;
  }

  const inTransaction = <T>(work: (conn: PoolConnection) => Promise<T>): Promise<T> => withTransaction(pool, work);

  return {
    kind: 'mysql',
    location: `mysql ${table.replace(/`/g, '')}`,

    async snapshot(): Promise<RuleSnapshot> {
      const [rows] = await pool.query<RowDataPacket[]>(`SELECT id, kind, version, online, body, refreshed_at, refreshed_version, updated_at FROM ${table} ORDER BY id`);
      const out: RuleSnapshot = { rules: [], rejected: [] };
      for (const row of rows) {
        const one = fromRow(row);
        if (isStored(one)) out.rules.push(one);
        else out.rejected.push(one);
      }
      return out;
    },

    async put(rule: Rule, raw: unknown): Promise<StoredRule> {
      return inTransaction(async (conn) => {
        const existing = await readOne(conn, rule.id, true);
        if (!versionAllows(existing, rule)) return existing!;
        const body = JSON.stringify({ ...(raw as object), online: rule.online });
        await conn.query(
          `INSERT INTO ${table} (id, kind, version, online, body, updated_at) VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(3))
           ON DUPLICATE KEY UPDATE kind = VALUES(kind), version = VALUES(version), online = VALUES(online), body = VALUES(body), updated_at = VALUES(updated_at)`,
          [rule.id, rule.kind, rule.version, rule.online ? 1 : 0, body],
        );
        return (await readOne(conn, rule.id, false))!;
      });
    },

    async setOnline(id, online) {
      return inTransaction(async (conn) => {
        const existing = await readOne(conn, id, true);
        if (!existing || existing.online === online) return existing;
        await conn.query(`UPDATE ${table} SET online = ?, updated_at = UTC_TIMESTAMP(3) WHERE id = ?`, [online ? 1 : 0, id]);
        return readOne(conn, id, false);
      });
    },

    async markRefreshed(rules, at) {
      if (rules.length === 0) return;
      const cond = rules.map(() => '(id = ? AND version = ?)').join(' OR ');
      await pool.query(`UPDATE ${table} SET refreshed_at = ?, refreshed_version = version WHERE ${cond}`, [new Date(at), ...rules.flatMap((r) => [r.id, r.version])]);
    },

    async close() {},
  };
}
