// Two gateway replicas share affinity through the real Redis: each runtime opens its own client on
// the same key prefix, so what one learns from a user's queries decides which apps the other
// searches first for that user. When a replica loses Redis, its queries still answer, in the
// default order. The keys live under a prefix of their own and are deleted afterwards.

import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { affinityMetrics } from '../../src/affinity/metrics.js';
import { dropPrefix, keysUnder } from '../helpers/redis.js';
import { startTestGateway, type TestGateway } from '../helpers/server.js';

const REDIS_URL = process.env.LOGFED_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const keyPrefix = `logfed-test:affinity-replicas:${randomBytes(4).toString('hex')}:`;

let admin: Redis;
let a: TestGateway;
let b: TestGateway;

const replica = () => startTestGateway((c) => ({ ...c, redis: { url: REDIS_URL }, affinity: { batchSize: 1, userTop: 1, keyPrefix } }));

beforeAll(async () => {
  admin = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await admin.ping();
  } catch (err) {
    throw new Error(`Redis at ${REDIS_URL} does not answer (${(err as Error).message}); run \`npm run services\``);
  }
  [a, b] = await Promise.all([replica(), replica()]);
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await dropPrefix(admin, keyPrefix);
  await admin.quit();
});

async function logs(gw: TestGateway, user: string, q: Record<string, unknown>) {
  const res = await gw.gql(
    `query($q: LogQuery!) { logs(query: $q, first: 20) { edges { node { app } } sources { logstore status } batch batches } }`,
    { q },
    { 'x-logfed-user': user },
  );
  if (res.errors) throw new Error(res.errors[0].message);
  return res.data.logs;
}

const searched = (page: any) =>
  page.sources
    .filter((s: any) => s.status === 'OK')
    .map((s: any) => s.logstore)
    .sort();

/** Training runs off the request path: wait until the other replica reads it. */
async function until(check: () => Promise<boolean>) {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the condition never held');
}

describe('affinity shared by two replicas through Redis', () => {
  it('opens its own client per replica on the shared prefix', () => {
    expect(a.runtime.services.redis).toBeDefined();
    expect(a.runtime.services.redis).not.toBe(b.runtime.services.redis);
  });

  it('ranks on one replica by what a user taught the other', async () => {
    const keyword = { keywords: 'order', domains: ['shop', 'pay'] };
    // No history and nothing seen yet: domain and app names decide, pay/pay-core first.
    const before = await logs(b, 'carol', keyword);
    expect(searched(before)).toEqual(['pay-prod-pay-core-app', 'pay-prod-pay-core-error', 'shop-pre']);

    await logs(a, 'carol', { apps: ['user-service'] });
    await until(async () => (await b.runtime.affinity!.store.topUserApps('carol', 1)).some((s) => s.app.app === 'user-service'));
    expect((await keysUnder(admin, keyPrefix)).length).toBeGreaterThan(0);

    const after = await logs(b, 'carol', keyword);
    expect(after.batch).toBe(1);
    expect(searched(after)).toEqual(['shop-pre', 'shop-prod-user-service']);
  });

  it('answers in the default order when its Redis is gone', async () => {
    const storeErrors = async () => (await affinityMetrics.fallbacks().get()).values.find((v) => v.labels.reason === 'store_error')?.value ?? 0;
    const before = await storeErrors();
    b.runtime.services.redis!.disconnect();
    const page = await logs(b, 'carol', { keywords: 'order', domains: ['shop', 'pay'] });
    expect(page.batch).toBe(1);
    expect(page.batches).toBe(5);
    expect(page.edges.length).toBeGreaterThan(0);
    expect(await storeErrors()).toBe(before + 1);
    // the other replica still ranks for carol
    expect(searched(await logs(a, 'carol', { keywords: 'order', domains: ['shop', 'pay'] }))).toEqual(['shop-pre', 'shop-prod-user-service']);
  });
});
