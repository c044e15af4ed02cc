// API keys: `logfed_<id>_<secret>`, where the id names the key (and may be logged) and the secret
// is 32 random bytes. Only a SHA-256 of the whole key is stored — a salt adds nothing to a
// 256-bit random secret, and a fast hash keeps every request cheap. Keys live in config or in
// MySQL (`<prefix>api_keys`); a key read from MySQL is remembered briefly, so a MySQL outage does
// not lock out callers who were just seen.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { LogfedError } from '../errors/index.js';
import { roleSchema, type Role } from './identity.js';
import { scopeSpecSchema, type ScopeSpec } from './scope.js';

export const KEY_PREFIX = 'logfed_';
const KEY_RE = /^logfed_([a-z0-9]{6,32})_([A-Za-z0-9_-]{32,128})$/;
const HASH_RE = /^sha256:[0-9a-f]{64}$/;

export interface StoredKey {
  id: string;
  /** `sha256:<hex>` of the whole key. */
  hash: string;
  user: string;
  role: Role;
  scope: ScopeSpec;
  /** Epoch ms after which the key is refused. */
  expiresAt?: number;
}

export const configKeySchema = z
  .object({
    id: z.string().regex(/^[a-z0-9]{6,32}$/, 'expected the key id: 6 to 32 characters [a-z0-9]'),
    hash: z.string().regex(HASH_RE, 'expected sha256:<64 hex characters>, as `npx tsx src/auth/keygen.ts` prints it'),
    user: z.string().regex(/^[\w.@:-]{1,128}$/, 'expected a user id ([A-Za-z0-9_.@:-], at most 128 characters)'),
    role: roleSchema.default('reader'),
    scope: scopeSpecSchema,
    expiresAt: z.number().int().optional(),
  })
  .strict();

export const hashKey = (key: string) => `sha256:${createHash('sha256').update(key).digest('hex')}`;

/** A new key and what to store for it. The key is shown once; only the hash is kept. */
export function generateKey(id = randomBytes(6).toString('hex')): { key: string; id: string; hash: string } {
  if (!/^[a-z0-9]{6,32}$/.test(id)) throw new LogfedError('BAD_USER_INPUT', `key id must be 6 to 32 characters [a-z0-9], got ${JSON.stringify(id)}`);
  const key = `${KEY_PREFIX}${id}_${randomBytes(32).toString('base64url')}`;
  return { key, id, hash: hashKey(key) };
}

/** The id inside a well-formed key; undefined for anything else. */
export function keyId(key: string): string | undefined {
  return KEY_RE.exec(key)?.[1];
}

export const looksLikeKey = (token: string) => token.startsWith(KEY_PREFIX);

export interface KeyStore {
  find(id: string): Promise<StoredKey | undefined>;
}

/** Checks a presented key against what is stored; the comparison takes the same time for any mismatch. */
export async function verifyKey(store: KeyStore, key: string, now = Date.now()): Promise<StoredKey | undefined> {
  const id = keyId(key);
  if (!id) return undefined;
  const stored = await store.find(id);
  const presented = Buffer.from(hashKey(key));
  const expected = Buffer.from(stored?.hash ?? hashKey(`${KEY_PREFIX}absent`));
  const same = presented.length === expected.length && timingSafeEqual(presented, expected);
  if (!stored || !same) return undefined;
  if (stored.expiresAt !== undefined && stored.expiresAt <= now) return undefined;
  return stored;
}

export function configKeyStore(keys: readonly StoredKey[]): KeyStore {
  const byId = new Map(keys.map((k) => [k.id, k]));
  return { find: async (id) => byId.get(id) };
}

/** Tries each store in turn: config keys first, then MySQL. */
export function chainKeyStores(stores: readonly KeyStore[]): KeyStore {
  return {
    async find(id) {
      for (const s of stores) {
        const k = await s.find(id);
        if (k) return k;
      }
      return undefined;
    },
  };
}

interface KeyRow extends RowDataPacket {
  id: string;
  hash: string;
  user: string;
  role: string;
  scope: string | object;
  expires_at: number | string | null;
  revoked: number;
}

/**
 * Keys in `<prefix>api_keys` (migration 004). A found key is remembered for `ttlMs`; an absent
 * one is not, so a key just inserted works at once. While MySQL cannot be read, remembered keys
 * keep working and any other key is refused with SERVICE_UNAVAILABLE rather than as invalid.
 */
export function mysqlKeyStore(pool: Pool, opts: { tablePrefix?: string; ttlMs?: number } = {}): KeyStore {
  const table = `\`${opts.tablePrefix ?? 'logfed_'}api_keys\``;
  // Stale entries are kept (not dropped on read) to serve while MySQL is away.
  const cache = new LRUCache<string, StoredKey>({ max: 10_000, ttl: opts.ttlMs ?? 60_000, noDeleteOnStaleGet: true });
  return {
    async find(id) {
      const fresh = cache.get(id, { allowStale: false });
      if (fresh) return fresh;
      let rows: KeyRow[];
      try {
        [rows] = await pool.query<KeyRow[]>(`SELECT id, hash, user, role, scope, expires_at, revoked FROM ${table} WHERE id = ?`, [id]);
      } catch (err) {
        const stale = cache.get(id, { allowStale: true });
        if (stale) return stale;
        throw new LogfedError('SERVICE_UNAVAILABLE', `API keys cannot be checked: the key store (MySQL) is unavailable (${(err as Error).message})`, { cause: err });
      }
      const row = rows[0];
      if (!row || row.revoked) {
        cache.delete(id);
        return undefined;
      }
      const parsed = configKeySchema.safeParse({
        id: row.id,
        hash: row.hash,
        user: row.user,
        role: row.role,
        // Some drivers hand a JSON-checked text column back already parsed.
        scope: typeof row.scope === 'string' ? JSON.parse(row.scope) : row.scope,
        ...(row.expires_at === null ? {} : { expiresAt: Number(row.expires_at) }),
      });
      if (!parsed.success) throw new LogfedError('INTERNAL', `API key ${id} in ${table} is not valid: ${parsed.error.issues[0]?.message}`);
      cache.set(id, parsed.data);
      return parsed.data;
    },
  };
}

/** Stores a key's hash in MySQL (used by keygen); the table comes from migration 004. */
export async function insertMysqlKey(pool: Pool, key: StoredKey, tablePrefix = 'logfed_'): Promise<void> {
  await pool.query(
    `INSERT INTO \`${tablePrefix}api_keys\` (id, hash, user, role, scope, expires_at, revoked) VALUES (?, ?, ?, ?, ?, ?, 0)`,
    [key.id, key.hash, key.user, key.role, JSON.stringify(key.scope), key.expiresAt ?? null],
  );
}
