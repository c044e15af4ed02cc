// Runs the shared AffinityStore contract on the Redis store against the real Redis. Each test
// uses its own key prefix and every store opens its own client (as replicas do), so runs and
// tests never see each other's keys; the keys are deleted afterwards.

import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { affinityMetrics } from '../../src/affinity/metrics.js';
import { rankApps } from '../../src/affinity/rank.js';
import { createRedisAffinityStore } from '../../src/affinity/redis-store.js';
import { trainFromQuery } from '../../src/affinity/train.js';
import type { LogfedError } from '../../src/errors/index.js';
import { defineAffinityStoreContract } from '../affinity-contract/index.js';
import { dropPrefix as dropPrefixOf, keysUnder as keysUnderOf } from '../helpers/redis.js';

const REDIS_URL = process.env.LOGFED_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const newClient = (url = REDIS_URL) => new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
const newPrefix = () => `logfed-test:affinity:${randomBytes(4).toString('hex')}:`;
const app = (name: string) => ({ domain: 'shop', app: name });

let admin: Redis;
beforeAll(async () => {
  admin = newClient();
  try {
    await admin.ping();
  } catch (err) {
    throw new Error(`Redis at ${REDIS_URL} does not answer (${(err as Error).message}); run \`npm run services\``);
  }
});
afterAll(async () => {
  await admin?.quit();
});

const keysUnder = (prefix: string) => keysUnderOf(admin, prefix);
const dropPrefix = (prefix: string) => dropPrefixOf(admin, prefix);

defineAffinityStoreContract('redis', async () => {
  const keyPrefix = newPrefix();
  const clients: Redis[] = [];
  return {
    open: (options) => {
      const client = newClient();
      clients.push(client);
      return createRedisAffinityStore(client, { ...options, keyPrefix });
    },
    cleanup: async () => {
      await Promise.all(clients.map((c) => c.quit()));
      await dropPrefix(keyPrefix);
    },
  };
});

describe('redis affinity store specifics', () => {
  it('keeps every key under its prefix, with an expiry of twenty half-lives, and sees nothing of another prefix', async () => {
    const [p1, p2] = [newPrefix(), newPrefix()];
    const [c1, c2] = [newClient(), newClient()];
    try {
      const s1 = createRedisAffinityStore(c1, { keyPrefix: p1, halfLifeMs: 60_000 });
      const s2 = createRedisAffinityStore(c2, { keyPrefix: p2 });
      await s1.incrementUserApp('ann', app('a'), 5);
      await s1.incrementAppPair(app('a'), app('b'), 1);
      expect(await keysUnder(p1)).toStrictEqual([`${p1}am:shop/a`, `${p1}am:shop/b`, `${p1}as:shop/a`, `${p1}as:shop/b`, `${p1}um:ann`, `${p1}us:ann`]);
      for (const key of await keysUnder(p1)) {
        const ttl = await admin.pttl(key);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(20 * 60_000);
      }
      expect(await s2.userAppScores('ann', [app('a')])).toStrictEqual([0]);
    } finally {
      await Promise.all([c1.quit(), c2.quit(), dropPrefix(p1), dropPrefix(p2)]);
    }
  });

  it('renormalises inside Redis: the row epoch moves to the time of the write that passed the threshold', async () => {
    const prefix = newPrefix();
    const client = newClient();
    let clock = 1_000_000;
    try {
      const store = createRedisAffinityStore(client, { keyPrefix: prefix, halfLifeMs: 1000, now: () => clock });
      await store.incrementUserApp('ann', app('a'), 2 ** 40);
      clock += 16_000;
      await store.incrementUserApp('ann', app('a'), 1);
      expect(await admin.hget(`${prefix}um:ann`, 'epoch')).toBe('1000000');
      clock += 17_000;
      await store.incrementUserApp('ann', app('a'), 1);
      expect(await admin.hget(`${prefix}um:ann`, 'epoch')).toBe('1033000');
      expect(Number(await admin.zscore(`${prefix}us:ann`, 'shop/a'))).toBeCloseTo(2 ** 7 + 2 ** -17 + 1, 9);
    } finally {
      await Promise.all([client.quit(), dropPrefix(prefix)]);
    }
  });

  it('refuses unknown options, naming them', () => {
    expect(() => createRedisAffinityStore(admin, { prefix: 'x' } as never)).toThrow(/redis affinity store\.prefix: unknown option/);
    expect(() => createRedisAffinityStore(admin, { readTimeoutMs: Infinity })).toThrow(/readTimeoutMs: expected a finite number > 0, got Infinity/);
  });
});

describe('redis affinity store with Redis down', () => {
  const dropped = async () => (await affinityMetrics.droppedWrites().get()).values.find((v) => v.labels.store === 'redis')?.value ?? 0;
  const fallbacks = async () => (await affinityMetrics.fallbacks().get()).values.find((v) => v.labels.reason === 'store_error')?.value ?? 0;
  // A client that would hold every command until a reconnect a minute away: only the store's
  // own guard and timeout keep a caller from waiting on it.
  const closedPort = () => {
    const client = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: null, retryStrategy: () => 60_000 });
    client.on('error', () => undefined);
    return client;
  };
  const codeOf = async (promise: Promise<unknown>) =>
    ((await promise.then(
      () => undefined,
      (e: unknown) => e,
    )) as LogfedError | undefined)?.code;

  it('rejects a read that Redis does not answer within the read timeout', async () => {
    const client = closedPort();
    try {
      const store = createRedisAffinityStore(client, { keyPrefix: newPrefix(), readTimeoutMs: 50 });
      expect(await codeOf(store.userAppScores('ann', [app('a')]))).toBe('TIMEOUT');
    } finally {
      client.disconnect();
    }
  });

  it('once the client has lost Redis, rejects reads at once, drops and counts writes, and ranking falls back', async () => {
    const client = closedPort();
    await client.connect().catch(() => undefined);
    try {
      // Timeouts far beyond the test's own: only the connection-state guard can answer in time.
      const store = createRedisAffinityStore(client, { keyPrefix: newPrefix(), readTimeoutMs: 600_000, writeTimeoutMs: 600_000 });
      expect(await codeOf(store.userAppScores('ann', [app('a')]))).toBe('SERVICE_UNAVAILABLE');
      expect(await codeOf(store.topUserApps('ann', 5))).toBe('SERVICE_UNAVAILABLE');
      expect(await codeOf(store.appNeighbours([app('a')], 5))).toBe('SERVICE_UNAVAILABLE');
      expect(await codeOf(store.appPairScores(app('a'), [app('b')]))).toBe('SERVICE_UNAVAILABLE');

      const droppedBefore = await dropped();
      expect(await store.incrementUserApps('ann', [app('a'), app('b')], 5)).toBe(false);
      expect(await store.incrementAppPairs([app('a'), app('b'), app('c')], 1)).toBe(false);
      expect(await dropped()).toBe(droppedBefore + 1 + 3);
      expect(await trainFromQuery(store, { user: 'ann', namedApps: [app('a')], resultApps: [] })).toBe('dropped');

      const fallbacksBefore = await fallbacks();
      const recency = new Map([['shop/b', 10]]);
      const ranked = await rankApps({ user: 'ann', candidates: [app('c'), app('a'), app('b')], store, batchSize: 2, recency });
      expect(ranked).toStrictEqual({ usedAffinity: false, batches: [[app('b'), app('a')], [app('c')]] });
      expect(await fallbacks()).toBe(fallbacksBefore + 1);
    } finally {
      client.disconnect();
    }
  });
});
