// The location of a MySQL/MariaDB logstore (table, column names, full-text) and the adapter's own
// config. Identifiers are checked against a strict pattern and always quoted; nothing a user
// types ever becomes SQL text.

import { z } from 'zod';
import { LogfedError } from '../../src/errors/index.js';
import type { Logstore } from '../../src/topology/types.js';

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ident = z.string().regex(IDENT, 'expected an identifier matching ^[A-Za-z_][A-Za-z0-9_]*$');

export const COLUMN_NAMES = ['ts', 'level', 'message', 'app', 'file', 'host', 'traceId', 'env', 'id'] as const;
export type ColumnName = (typeof COLUMN_NAMES)[number];

export const DEFAULT_COLUMNS: Record<ColumnName, string> = {
  ts: 'ts',
  level: 'level',
  message: 'message',
  app: 'app',
  file: 'file',
  host: 'host',
  traceId: 'trace_id',
  env: 'env',
  id: 'id',
};

/** Columns a table must have; the others are used when present. */
export const REQUIRED_COLUMNS: readonly ColumnName[] = ['ts', 'message', 'id'];

export const MysqlLocationSchema = z
  .object({
    table: ident,
    columns: z.object(Object.fromEntries(COLUMN_NAMES.map((c) => [c, ident.optional()])) as Record<ColumnName, z.ZodOptional<typeof ident>>).strict().optional(),
    /** Match keywords with MATCH … AGAINST (whole words, needs a FULLTEXT index) instead of LIKE. */
    fulltext: z.boolean().default(false),
  })
  .strict();

export type MysqlLocation = z.input<typeof MysqlLocationSchema>;
export type ParsedLocation = z.output<typeof MysqlLocationSchema>;

export const MysqlAdapterConfigSchema = z.union([
  z
    .object({
      url: z.string().min(1),
      connectionLimit: z.number().int().min(1).max(1000).default(10),
      /** Rows fetched per round trip while filters that run in process (regex) thin them out. */
      maxBatch: z.number().int().min(10).max(100_000).default(2000),
    })
    .strict(),
  z
    .object({
      pool: z.custom<object>((v) => typeof v === 'object' && v !== null && typeof (v as { getConnection?: unknown }).getConnection === 'function', {
        message: 'expected a mysql2/promise Pool',
      }),
      maxBatch: z.number().int().min(10).max(100_000).default(2000),
    })
    .strict(),
]);

export type MysqlAdapterConfig = z.input<typeof MysqlAdapterConfigSchema>;

export function quoteIdent(name: string): string {
  if (!IDENT.test(name)) throw new LogfedError('BAD_CONFIG', `identifier ${JSON.stringify(name)} does not match ${IDENT}`);
  return `\`${name}\``;
}

function describe(err: z.ZodError, where: string, input: unknown): string {
  return err.issues
    .map((i) => {
      const got = i.path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string | number, unknown>)[k] : undefined), input);
      const shown = i.code === 'unrecognized_keys' ? i.keys.join(', ') : i.path.includes('pool') ? typeof got : JSON.stringify(got);
      return `${[where, ...i.path].join('.')}: ${i.message} (got ${shown})`;
    })
    .join('; ');
}

export function parseMysqlConfig(config: unknown): z.output<typeof MysqlAdapterConfigSchema> {
  const r = MysqlAdapterConfigSchema.safeParse(config);
  if (r.success) return r.data;
  // A union reports each branch; say the short thing when the shape itself is wrong.
  const keys = config && typeof config === 'object' ? Object.keys(config) : [];
  if (!keys.includes('url') && !keys.includes('pool')) {
    throw new LogfedError('BAD_CONFIG', `mysql adapter config: expected { url: "mysql://user@host:3306/db" } or { pool }, got ${keys.length ? `keys ${keys.join(', ')}` : JSON.stringify(config)}`);
  }
  const branch = keys.includes('url') ? MysqlAdapterConfigSchema.options[0] : MysqlAdapterConfigSchema.options[1];
  const again = branch.safeParse(config);
  throw new LogfedError('BAD_CONFIG', `mysql adapter config: ${again.success ? describe(r.error, 'config', config) : describe(again.error, 'config', config)}`);
}

export function parseLocation(store: Logstore): ParsedLocation {
  const r = MysqlLocationSchema.safeParse(store.location);
  if (r.success) return r.data;
  throw new LogfedError('BAD_CONFIG', `logstore ${store.id}: ${describe(r.error, 'location', store.location)}`, { details: { logstore: store.id } });
}
