// Builds the SELECT of one page from a search: every value is a bound parameter, identifiers come
// only from the checked table spec. Keywords are case-sensitive substrings (binary LIKE with an
// escape character), the page is a keyset range on (ts, id) in either order.

import { LEVELS, normaliseLevel } from '../../src/core/event.js';
import type { EventFilter, Order, Target } from '../../src/query/types.js';
import { quoteIdent } from './location.js';
import type { TableSpec } from './table.js';

export interface Sql {
  sql: string;
  params: unknown[];
}

/** A position: the (ts, id) of a row. Ids travel as text so BIGINTs keep every digit. */
export interface Cursor {
  ts: number;
  id: string;
}

export interface PageQuery {
  target: Target;
  filter: EventFilter;
  order: Order;
  limit: number;
  after?: Cursor;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** A bound value for the ts column: UTC text for DATETIME/TIMESTAMP, a number for epoch ms. */
export function tsParam(spec: TableSpec, ms: number): string | number {
  if (spec.tsKind === 'epoch_ms') return Math.min(Math.max(ms, Number.MIN_SAFE_INTEGER), Number.MAX_SAFE_INTEGER);
  // Out-of-range bounds (the gateway may pass ±huge) are clamped to what DATETIME can hold.
  const d = new Date(Math.min(Math.max(ms, Date.UTC(1000, 0, 1)), Date.UTC(9999, 11, 31, 23, 59, 59, 999)));
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
}

/** Reads a ts selected by `selectList` back into epoch ms. */
export function rowTs(spec: TableSpec, value: unknown): number {
  if (spec.tsKind === 'epoch_ms') return Number(value);
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?/.exec(String(value));
  if (!m) return Number.NaN;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0);
}

// Selecting ts and id as text makes results independent of the pool's date and bigint options.
function tsExpr(spec: TableSpec, col: string): string {
  return spec.tsKind === 'datetime' ? `DATE_FORMAT(${col}, '%Y-%m-%d %H:%i:%s.%f')` : col;
}

/** Result aliases; distinct from any column name, since ORDER BY prefers an alias to a column. */
export const ALIAS = { ts: 'lf_ts', id: 'lf_id', message: 'lf_message', level: 'lf_level', app: 'lf_app', file: 'lf_file', host: 'lf_host', traceId: 'lf_trace' } as const;

export function selectList(spec: TableSpec): string {
  const c = spec.cols;
  const parts = [`${tsExpr(spec, quoteIdent(c.ts!))} AS ${ALIAS.ts}`, `CAST(${quoteIdent(c.id!)} AS CHAR) AS ${ALIAS.id}`, `${quoteIdent(c.message!)} AS ${ALIAS.message}`];
  for (const name of ['level', 'app', 'file', 'host', 'traceId'] as const) if (c[name]) parts.push(`${quoteIdent(c[name])} AS ${ALIAS[name]}`);
  return parts.join(', ');
}

/** `%`, `_` and the escape character itself are literal in a keyword. */
export function likePattern(term: string): string {
  return `%${term.replace(/[!%_]/g, (ch) => `!${ch}`)}%`;
}

const SPELLINGS = [...LEVELS, 'WARNING', 'ERR', 'SEVERE', 'CRITICAL', 'CRIT', 'PANIC', 'FINE', 'FINER', 'FINEST'];

/** Every stored spelling that normalises to one of the levels asked for. */
export function levelSpellings(levels: string[]): string[] {
  const want = new Set(levels.map((l) => l.toUpperCase()));
  const out = new Set(want);
  for (const s of SPELLINGS) if (want.has(normaliseLevel(s)!)) out.add(s);
  return [...out];
}

/** Terms MATCH … AGAINST can look up as a phrase: no quotes, something to index. */
function fulltextQuery(include: string[]): string | undefined {
  const terms = include.filter((t) => !t.includes('"') && /[\p{L}\p{N}]/u.test(t));
  return terms.length ? terms.map((t) => `+"${t}"`).join(' ') : undefined;
}

/** WHERE conditions shared by a page and the time-bounds probe: the target's env/app/file. */
export function targetConditions(spec: TableSpec, target: Target): Sql {
  const c = spec.cols;
  const where: string[] = [];
  const params: unknown[] = [];
  const eq = (col: string | undefined, v: string | undefined) => {
    if (col && v !== undefined) {
      where.push(`${quoteIdent(col)} = ?`);
      params.push(v);
    }
  };
  const anyOf = (col: string | undefined, vs: string[] | undefined) => {
    if (col && vs?.length) {
      where.push(`${quoteIdent(col)} IN (${vs.map(() => '?').join(', ')})`);
      params.push(...vs);
    }
  };
  eq(c.env, target.env);
  const store = target.logstore;
  if (store.layout !== 'env') eq(c.app, store.app);
  if (store.layout === 'file') eq(c.file, store.file);
  anyOf(c.app, target.apps);
  anyOf(c.file, target.files);
  return { sql: where.join(' AND '), params };
}

export function buildPage(spec: TableSpec, q: PageQuery): Sql {
  const c = spec.cols;
  const ts = quoteIdent(c.ts!);
  const id = quoteIdent(c.id!);
  const msg = quoteIdent(c.message!);
  const where: string[] = [`${ts} >= ?`, `${ts} < ?`];
  const params: unknown[] = [tsParam(spec, q.filter.from), tsParam(spec, q.filter.to)];
  const add = (cond: string, ...values: unknown[]) => {
    where.push(cond);
    params.push(...values);
  };
  const t = targetConditions(spec, q.target);
  if (t.sql) add(t.sql, ...t.params);
  if (q.filter.levels?.length && c.level) {
    const spellings = levelSpellings(q.filter.levels);
    add(`UPPER(TRIM(${quoteIdent(c.level)})) IN (${spellings.map(() => '?').join(', ')})`, ...spellings);
  }
  if (q.filter.traceId !== undefined && c.traceId) add(`${quoteIdent(c.traceId)} = ?`, q.filter.traceId);
  const { include, exclude } = q.filter.keywords;
  const ft = spec.fulltext ? fulltextQuery(include) : undefined;
  if (ft) add(`MATCH(${msg}) AGAINST (? IN BOOLEAN MODE)`, ft);
  for (const term of include) add(`${msg} LIKE CAST(? AS BINARY) ESCAPE '!'`, likePattern(term));
  for (const term of exclude) add(`NOT (COALESCE(${msg}, '') LIKE CAST(? AS BINARY) ESCAPE '!')`, likePattern(term));
  if (q.after) {
    const idParam = spec.intId ? 'CAST(? AS DECIMAL(20,0))' : '?';
    const op = q.order === 'asc' ? '>' : '<';
    const at = tsParam(spec, q.after.ts);
    add(`(${ts} ${op} ? OR (${ts} = ? AND ${id} ${op} ${idParam}))`, at, at, q.after.id);
  }
  const dir = q.order === 'asc' ? 'ASC' : 'DESC';
  return {
    sql: `SELECT ${selectList(spec)} FROM ${quoteIdent(spec.table)} WHERE ${where.join(' AND ')} ORDER BY ${ts} ${dir}, ${id} ${dir} LIMIT ?`,
    params: [...params, q.limit],
  };
}

export function buildBounds(spec: TableSpec, target: Target): Sql {
  const ts = quoteIdent(spec.cols.ts!);
  const t = targetConditions(spec, target);
  return {
    sql: `SELECT ${tsExpr(spec, `MIN(${ts})`)} AS lf_min, ${tsExpr(spec, `MAX(${ts})`)} AS lf_max FROM ${quoteIdent(spec.table)}${t.sql ? ` WHERE ${t.sql}` : ''}`,
    params: t.params,
  };
}
