// API keys kept in MariaDB (migration 004): a stored hash lets its key in, a revoked or expired
// one does not, and while MySQL cannot be read a key seen recently still works while any other is
// refused as SERVICE_UNAVAILABLE (not as invalid, which would tell the caller to give up).

import { randomBytes } from 'node:crypto';
import { createPool, type Pool } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey, insertMysqlKey, mysqlKeyStore, verifyKey } from '../../src/auth/keys.js';
import { dropPrefixedTables, migrate } from '../../src/store/migrate.js';

const MYSQL_URL = process.env.LOGFED_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
const tablePrefix = `k${randomBytes(4).toString('hex')}_`;
let pool: Pool;

beforeAll(async () => {
  pool = createPool({ uri: MYSQL_URL, connectionLimit: 2 });
  await migrate(pool, { tablePrefix });
});
afterAll(async () => {
  await dropPrefixedTables(pool, tablePrefix);
  await pool.end();
});

describe('API keys in MySQL', () => {
  it('accepts a stored key, refuses revoked and expired ones', async () => {
    const live = generateKey();
    const revoked = generateKey();
    const expired = generateKey();
    await insertMysqlKey(pool, { id: live.id, hash: live.hash, user: 'svc', role: 'admin', scope: { domains: ['shop-*'], apps: { 'shop-eu': ['web'] } } }, tablePrefix);
    await insertMysqlKey(pool, { id: revoked.id, hash: revoked.hash, user: 'old', role: 'reader', scope: { domains: ['*'] } }, tablePrefix);
    await insertMysqlKey(pool, { id: expired.id, hash: expired.hash, user: 'tmp', role: 'reader', scope: { domains: ['*'] }, expiresAt: Date.now() - 1 }, tablePrefix);
    await pool.query(`UPDATE \`${tablePrefix}api_keys\` SET revoked = 1 WHERE id = ?`, [revoked.id]);

    const store = mysqlKeyStore(pool, { tablePrefix });
    expect(await verifyKey(store, live.key)).toMatchObject({ user: 'svc', role: 'admin', scope: { domains: ['shop-*'], apps: { 'shop-eu': ['web'] } } });
    expect(await verifyKey(store, revoked.key)).toBeUndefined();
    expect(await verifyKey(store, expired.key)).toBeUndefined();
    expect(await verifyKey(store, `${live.key.slice(0, -1)}${live.key.endsWith('a') ? 'b' : 'a'}`)).toBeUndefined();
  });

  it('keeps recently seen keys working while MySQL cannot be read, and refuses others as unavailable', async () => {
    const seen = generateKey();
    const unseen = generateKey();
    for (const k of [seen, unseen]) await insertMysqlKey(pool, { id: k.id, hash: k.hash, user: 'u', role: 'reader', scope: { domains: ['pay'] } }, tablePrefix);
    let down = false;
    const flaky = new Proxy(pool, {
      get: (target, prop, receiver) =>
        prop === 'query' && down ? () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })) : Reflect.get(target, prop, receiver),
    });
    const store = mysqlKeyStore(flaky, { tablePrefix, ttlMs: 1 });
    expect(await verifyKey(store, seen.key)).toBeDefined();
    down = true;
    await new Promise((r) => setTimeout(r, 5)); // past the ttl: the store is asked, and fails
    expect(await verifyKey(store, seen.key)).toMatchObject({ user: 'u' });
    await expect(verifyKey(store, unseen.key)).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });
});
