// The pattern store on MySQL / MariaDB, shared by gateway replicas and kept across restarts.
// Tables come from src/store/migrations/002_patterns.sql (run `migrate` first). A flush is one
// transaction: the rows it touches are locked in key order, combined by the same functions as
// the memory store (records.ts) and written back, so both stores keep one contract.

import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import { isLogfedError, toLogfedError } from '../errors/index.js';
import { DEFAULT_TABLE_PREFIX, checkTablePrefix } from '../store/migrate.js';
import { withTransaction } from '../store/mysql.js';
import { checkMaxSamples } from './memory-store.js';
import { applyDelta, mergeRecords, recordKey } from './records.js';
import type { Annotation, PatternDelta, PatternMerge, PatternOrder, PatternQuery, PatternRecord, PatternStore, SavedMiner } from './store.js';

export interface MysqlPatternStoreOptions {
  /** Prefix of the tables, as given to `migrate`; defaults to `logfed_`. */
  tablePrefix?: string;
  maxSamples?: number;
}

type Param = string | number | null;
type Db = Pool | PoolConnection;

const CHUNK = 200;
const COLUMNS = 'domain, app, pattern_id, template, top_pattern_id, count, first_seen, last_seen, samples, label, cause, advice, annotated_by, annotated_at';
const ORDER_COLUMN: Record<PatternOrder, string> = { count: 'count', recent: 'last_seen', new: 'first_seen' };

function toRecord(r: RowDataPacket): PatternRecord {
  const rec: PatternRecord = {
    domain: r.domain,
    app: r.app,
    patternId: r.pattern_id,
    template: r.template,
    topPatternId: r.top_pattern_id,
    count: Number(r.count),
    firstSeen: Number(r.first_seen),
    lastSeen: Number(r.last_seen),
    samples: json(r.samples),
  };
  if (r.annotated_at !== null) {
    const a: Annotation = { author: r.annotated_by ?? '', at: Number(r.annotated_at) };
    if (r.label !== null) a.label = r.label;
    if (r.cause !== null) a.cause = r.cause;
    if (r.advice !== null) a.advice = r.advice;
    rec.annotation = a;
  }
  return rec;
}

function recordParams(r: PatternRecord): Param[] {
  const a = r.annotation;
  return [
    r.domain,
    r.app,
    r.patternId,
    r.template,
    r.topPatternId,
    r.count,
    r.firstSeen,
    r.lastSeen,
    JSON.stringify(r.samples),
    a?.label ?? null,
    a?.cause ?? null,
    a?.advice ?? null,
    a ? a.author : null,
    a ? a.at : null,
  ];
}

// Text columns come back as strings; a driver that parses JSON columns itself hands objects.
const json = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value);
const rowMarks = (n: number, width: number) => Array.from({ length: n }, () => `(${Array(width).fill('?').join(', ')})`).join(', ');
const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export function createMysqlPatternStore(pool: Pool, opts: MysqlPatternStoreOptions = {}): PatternStore {
  const prefix = checkTablePrefix(opts.tablePrefix ?? DEFAULT_TABLE_PREFIX, 'tablePrefix');
  const maxSamples = checkMaxSamples(opts.maxSamples);
  const t = {
    patterns: `\`${prefix}patterns\``,
    history: `\`${prefix}pattern_history\``,
    miners: `\`${prefix}pattern_miners\``,
  };

  // Bulk statements vary in their number of rows, so they go as text (query), not as prepared
  // statements (execute), which would be cached once per distinct row count.
  const rows = async (db: Db, sql: string, params: Param[] = []) => (await db.query<RowDataPacket[]>(sql, params))[0];

  async function guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      throw isLogfedError(err) ? err : toLogfedError(err, 'BACKEND_ERROR');
    }
  }

  async function lockRecords(conn: PoolConnection, keys: ReadonlyArray<[string, string, string]>): Promise<Map<string, PatternRecord>> {
    const found = new Map<string, PatternRecord>();
    for (let i = 0; i < keys.length; i += CHUNK) {
      const chunk = keys.slice(i, i + CHUNK);
      const sql = `SELECT ${COLUMNS} FROM ${t.patterns} WHERE (domain, app, pattern_id) IN (${rowMarks(chunk.length, 3)}) ORDER BY domain, app, pattern_id FOR UPDATE`;
      for (const r of await rows(conn, sql, chunk.flat())) found.set(recordKey(r.domain, r.app, r.pattern_id), toRecord(r));
    }
    return found;
  }

  async function upsertRecords(conn: PoolConnection, records: readonly PatternRecord[]): Promise<void> {
    for (let i = 0; i < records.length; i += CHUNK) {
      const chunk = records.slice(i, i + CHUNK);
      await conn.query(
        `INSERT INTO ${t.patterns} (${COLUMNS}) VALUES ${rowMarks(chunk.length, 14)}
         ON DUPLICATE KEY UPDATE template = VALUES(template), top_pattern_id = VALUES(top_pattern_id), count = VALUES(count),
           first_seen = VALUES(first_seen), last_seen = VALUES(last_seen), samples = VALUES(samples), label = VALUES(label),
           cause = VALUES(cause), advice = VALUES(advice), annotated_by = VALUES(annotated_by), annotated_at = VALUES(annotated_at)`,
        chunk.flatMap(recordParams),
      );
    }
  }

  async function addHistory(conn: PoolConnection, entries: ReadonlyArray<[string, string, string, number, number]>): Promise<void> {
    for (let i = 0; i < entries.length; i += CHUNK) {
      const chunk = entries.slice(i, i + CHUNK);
      await conn.query(
        `INSERT INTO ${t.history} (domain, app, pattern_id, bucket, count) VALUES ${rowMarks(chunk.length, 5)}
         ON DUPLICATE KEY UPDATE count = count + VALUES(count)`,
        chunk.flat(),
      );
    }
  }

  async function getRecord(domain: string, app: string, patternId: string): Promise<PatternRecord | undefined> {
    const found = await rows(pool, `SELECT ${COLUMNS} FROM ${t.patterns} WHERE domain = ? AND app = ? AND pattern_id = ?`, [domain, app, patternId]);
    return found[0] && toRecord(found[0]);
  }

  async function applyMerge(conn: PoolConnection, m: PatternMerge): Promise<void> {
    const from = [...new Set(m.from.filter((id) => id !== m.into))];
    if (from.length === 0) return;
    const keys = [m.into, ...from].sort().map((id) => [m.domain, m.app, id] as [string, string, string]);
    const found = await lockRecords(conn, keys);
    const parts = [m.into, ...from].flatMap((id) => found.get(recordKey(m.domain, m.app, id)) ?? []);
    const merged = mergeRecords(m, parts, maxSamples);
    if (!merged) return;
    const marks = from.map(() => '?').join(', ');
    const history = await rows(
      conn,
      `SELECT bucket, count FROM ${t.history} WHERE domain = ? AND app = ? AND pattern_id IN (${marks}) FOR UPDATE`,
      [m.domain, m.app, ...from],
    );
    await conn.query(`DELETE FROM ${t.history} WHERE domain = ? AND app = ? AND pattern_id IN (${marks})`, [m.domain, m.app, ...from]);
    await conn.query(`DELETE FROM ${t.patterns} WHERE domain = ? AND app = ? AND pattern_id IN (${marks})`, [m.domain, m.app, ...from]);
    await upsertRecords(conn, [merged]);
    await addHistory(conn, history.map((h) => [m.domain, m.app, m.into, Number(h.bucket), Number(h.count)]));
  }

  async function applyDeltas(conn: PoolConnection, deltas: readonly PatternDelta[]): Promise<void> {
    // One lock order for every writer, so two replicas flushing the same patterns cannot deadlock.
    const sorted = [...deltas].sort((a, b) => (recordKey(a.domain, a.app, a.patternId) < recordKey(b.domain, b.app, b.patternId) ? -1 : 1));
    const found = await lockRecords(conn, sorted.map((d) => [d.domain, d.app, d.patternId]));
    const next = new Map<string, PatternRecord>();
    for (const d of sorted) {
      const key = recordKey(d.domain, d.app, d.patternId);
      next.set(key, applyDelta(next.get(key) ?? found.get(key), d, maxSamples));
    }
    await upsertRecords(conn, [...next.values()]);
    await addHistory(conn, sorted.flatMap((d) => d.buckets.map(([ts, n]) => [d.domain, d.app, d.patternId, ts, n] as [string, string, string, number, number])));
  }

  return {
    write: ({ merges, deltas }) =>
      guard(async () => {
        if (merges.length === 0 && deltas.length === 0) return;
        await withTransaction(pool, async (conn) => {
          for (const m of merges) await applyMerge(conn, m);
          if (deltas.length > 0) await applyDeltas(conn, deltas);
        });
      }),

    list: (q: PatternQuery) =>
      guard(async () => {
        const where: string[] = [];
        const params: Param[] = [];
        const within = (column: string, values: readonly string[] | undefined) => {
          if (values === undefined) return;
          if (values.length === 0) where.push('FALSE');
          else {
            where.push(`${column} IN (${values.map(() => '?').join(', ')})`);
            params.push(...values);
          }
        };
        within('domain', q.domains);
        within('app', q.apps);
        if (q.topPatternId !== undefined) {
          where.push('top_pattern_id = ?');
          params.push(q.topPatternId);
        }
        if (q.text !== undefined) {
          where.push("template LIKE ? ESCAPE '\\\\'");
          params.push(`%${escapeLike(q.text)}%`);
        }
        if (q.labelled !== undefined) where.push(q.labelled ? 'annotated_at IS NOT NULL' : 'annotated_at IS NULL');
        if (q.seenSince !== undefined) {
          where.push('last_seen >= ?');
          params.push(q.seenSince);
        }
        const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
        const order = `ORDER BY ${ORDER_COLUMN[q.order]} DESC, domain, app, pattern_id`;
        return (await rows(pool, `SELECT ${COLUMNS} FROM ${t.patterns} ${clause} ${order} LIMIT ?`, [...params, q.limit])).map(toRecord);
      }),

    get: (domain, app, patternId) => guard(() => getRecord(domain, app, patternId)),

    history: (domain, app, patternId, from, to) =>
      guard(async () => {
        const found = await rows(
          pool,
          `SELECT bucket, count FROM ${t.history} WHERE domain = ? AND app = ? AND pattern_id = ? AND bucket >= ? AND bucket < ? ORDER BY bucket`,
          [domain, app, patternId, from, to],
        );
        return found.map((r) => ({ ts: Number(r.bucket), count: Number(r.count) }));
      }),

    annotate: (domain, app, patternId, a) =>
      guard(async () => {
        await pool.query(
          `UPDATE ${t.patterns} SET label = ?, cause = ?, advice = ?, annotated_by = ?, annotated_at = ? WHERE domain = ? AND app = ? AND pattern_id = ?`,
          [a.label ?? null, a.cause ?? null, a.advice ?? null, a.author, a.at, domain, app, patternId],
        );
        return getRecord(domain, app, patternId);
      }),

    saveMiners: (list: readonly SavedMiner[]) =>
      guard(async () => {
        // One statement per miner: a state can be megabytes, and packets are capped.
        for (const m of list) {
          await pool.query(`INSERT INTO ${t.miners} (domain, app, state) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE state = VALUES(state)`, [
            m.domain,
            m.app,
            JSON.stringify(m.state),
          ]);
        }
      }),

    loadMiners: () =>
      guard(async () => {
        const found = await rows(pool, `SELECT domain, app, state FROM ${t.miners} ORDER BY domain, app`);
        return found.map((r) => ({ domain: r.domain, app: r.app, state: json(r.state) }));
      }),

    pruneHistory: (before) =>
      guard(async () => {
        const [res] = await pool.query(`DELETE FROM ${t.history} WHERE bucket < ?`, [before]);
        return (res as { affectedRows: number }).affectedRows;
      }),

    async close() {},
  };
}
