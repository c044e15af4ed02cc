// The exception scanner on the real Redis: the scan lock's lease (contention, token-checked
// renew and release, a lost lease), and two replicas that each count part of the traffic and
// scan at once, of which exactly one reports, from the sum of both. Keys live under a prefix of
// this run and are deleted afterwards.

import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../src/compute/alerts/index.js';
import { createRedisLedger } from '../../src/scanner/redis-ledger.js';
import { createRedisLock } from '../../src/scanner/lock.js';
import { createExceptionScanner } from '../../src/scanner/scanner.js';
import { errorEvent, trace } from '../../src/scanner/testing.js';
import { checkRedis, createRedis } from '../../src/store/redis.js';
import { dropPrefix } from '../helpers/redis.js';

const REDIS_URL = process.env.LOGFED_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `logfed-it:scanner:${randomBytes(5).toString('hex')}:`;
const MIN = 60_000;
const WINDOW = 10 * MIN;
const T0 = Date.UTC(2026, 10, 21, 8, 0, 0);

let a: Redis;
let b: Redis;

beforeAll(async () => {
  a = createRedis(REDIS_URL);
  b = createRedis(REDIS_URL);
  const health = await checkRedis(a);
  if (!health.ok) throw new Error(`Redis at ${REDIS_URL} does not answer (${health.detail}): run \`npm run services\``);
});
afterAll(async () => {
  if (a) await dropPrefix(a, prefix);
  a?.disconnect();
  b?.disconnect();
});

describe('scan lock on redis', () => {
  it('gives one lease at a time, and frees it on release', async () => {
    const key = `${prefix}lock:one`;
    const [la, lb] = [createRedisLock(a, { key, ttlMs: 30_000 }), createRedisLock(b, { key, ttlMs: 30_000 })];
    const lease = await la.acquire();
    expect(lease).toBeDefined();
    expect(await lb.acquire()).toBeUndefined();
    expect(await lease!.renew()).toBe(true);
    expect(await a.pttl(key)).toBeGreaterThan(0);
    expect(await lease!.release()).toBe(true);
    const next = await lb.acquire();
    expect(next).toBeDefined();
    expect(await lease!.release()).toBe(false);
    expect(await a.get(key)).toBe(next!.token);
    await next!.release();
  });

  it('never renews or releases a lease another replica took after this one expired', async () => {
    const key = `${prefix}lock:lost`;
    const [la, lb] = [createRedisLock(a, { key, ttlMs: 30_000 }), createRedisLock(b, { key, ttlMs: 30_000 })];
    const stale = await la.acquire();
    await a.del(key); // what expiry does
    const fresh = await lb.acquire();
    expect(fresh).toBeDefined();
    expect(await stale!.renew()).toBe(false);
    expect(await stale!.release()).toBe(false);
    expect(await a.get(key)).toBe(fresh!.token);
    await fresh!.release();
  });
});

describe('exception scanner on redis', () => {
  function replica(client: Redis, run: string, clock: () => number, alerts: AlertEvent[]) {
    return createExceptionScanner({
      ledger: createRedisLedger(client, { keyPrefix: `${prefix}${run}:`, windowTtlMs: 10 * WINDOW }),
      lock: createRedisLock(client, { key: `${prefix}${run}:lock`, ttlMs: 30_000 }),
      clock,
      intervalMs: WINDOW,
      baselineWindows: 3,
      surgeFactor: 3,
      minCount: 10,
      onAlert: (e) => alerts.push(e),
    });
  }

  it('lets one of two replicas scan, judging the counts both recorded: NEW, then SURGE', async () => {
    let now = T0 + MIN;
    const clock = () => now;
    const alerts: AlertEvent[] = [];
    const [ra, rb] = [replica(a, 'two', clock, alerts), replica(b, 'two', clock, alerts)];
    const known = errorEvent(trace('java.net.SocketTimeoutException'));
    const fresh = errorEvent(trace('java.sql.SQLTransactionRollbackException'));

    ra.observe(known);
    now = T0 + WINDOW + MIN;
    const first = await Promise.all([ra.scan(), rb.scan()]);
    expect(first.filter((o) => o.status === 'learned')).toHaveLength(1);
    expect(first.filter((o) => o.status !== 'learned').map((o) => o.status)).toStrictEqual([expect.stringMatching(/^(locked|idle)$/)]);

    // Window 1: each replica sees part of the traffic.
    for (let i = 0; i < 2; i++) ra.observe(known);
    for (let i = 0; i < 3; i++) rb.observe(known);
    ra.observe(fresh);
    rb.observe(fresh);
    await Promise.all([ra.flush(), rb.flush()]);
    now = T0 + 2 * WINDOW + MIN;
    const holder = await createRedisLock(b, { key: `${prefix}two:lock`, ttlMs: 30_000 }).acquire();
    expect(await ra.scan()).toStrictEqual({ status: 'locked' });
    await holder!.release();
    const second = await Promise.all([ra.scan(), rb.scan()]);
    const scanned = second.filter((o) => o.status === 'scanned');
    expect(scanned).toHaveLength(1);
    expect(second.filter((o) => o.status !== 'scanned').map((o) => o.status)).toStrictEqual([expect.stringMatching(/^(locked|idle)$/)]);
    expect(scanned[0]!.status === 'scanned' && scanned[0]!.findings.map((f) => [f.kind, f.type, f.count])).toStrictEqual([
      ['new', 'java.sql.SQLTransactionRollbackException', 2],
    ]);

    // Window 2: 20 of the known exception against (0 + 1 + 5) / 3 = 2 per window before.
    for (let i = 0; i < 10; i++) ra.observe(known);
    for (let i = 0; i < 10; i++) rb.observe(known);
    // In service, replicas flush every few seconds and a scan waits out a grace period for them.
    await Promise.all([ra.flush(), rb.flush()]);
    now = T0 + 3 * WINDOW + MIN;
    const third = await Promise.all([rb.scan(), ra.scan()]);
    expect(third.filter((o) => o.status === 'scanned')).toHaveLength(1);
    expect(alerts.map((e) => [e.labels.kind, e.labels.exception, e.metric.values.count])).toStrictEqual([
      ['NEW', 'java.sql.SQLTransactionRollbackException', 2],
      ['SURGE', 'java.net.SocketTimeoutException', 20],
    ]);
    const stored = await rb.findings({ domain: 'pay', app: 'core', limit: 10 });
    expect(stored.map((f) => f.kind)).toStrictEqual(['surge', 'new']);
    expect(await ra.findings({ since: T0 + 3 * WINDOW, limit: 10 })).toHaveLength(1);
  });
});
