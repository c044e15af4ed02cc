// Redis goes away under a running gateway (through a proxy this test cuts, so the shared Redis
// stays up for other tests): searches still answer, affinity falls back to the default order,
// /healthz says DEGRADED; when Redis returns the gateway uses it again by itself.

import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropPrefix, keysUnder } from '../helpers/redis.js';
import { startTestGateway, type TestGateway } from '../helpers/server.js';
import { eventually, health } from './helpers.js';
import { startTcpProxy, type TcpProxy } from './proxy.js';

const prefix = `logfed-test:faults:${randomBytes(4).toString('hex')}:`;
let proxy: TcpProxy;
let gw: TestGateway;
let direct: Redis;

beforeAll(async () => {
  direct = new Redis('redis://127.0.0.1:6379', { lazyConnect: true });
  await direct.connect();
  proxy = await startTcpProxy({ host: '127.0.0.1', port: 6379 });
  gw = await startTestGateway((c) => ({
    ...c,
    redis: { url: `redis://127.0.0.1:${proxy.port}` },
    affinity: { keyPrefix: `${prefix}affinity:` },
    tail: { channel: `${prefix}tail` },
    patterns: { enabled: false },
  }));
});
afterAll(async () => {
  await gw?.stop();
  await proxy?.close();
  await dropPrefix(direct, prefix).catch(() => undefined);
  direct?.disconnect();
});

const search = () =>
  gw.gql('{ logs(query: { domains: ["shop"], apps: ["cart-service"] }, first: 5) { edges { node { app } } } }', undefined, { 'x-logfed-user': 'fault-tester' });

describe('Redis down', () => {
  it('keeps answering searches, reports DEGRADED, and uses Redis again once it is back', async () => {
    expect((await health(gw.url)).services.redis).toBe('OK');
    try {
      await proxy.cut();
      const down = await eventually(() => health(gw.url), (h) => h.services.redis === 'DOWN', 'health reporting Redis down');
      expect(down).toMatchObject({ httpStatus: 200, status: 'DEGRADED' });

      const res = await search();
      expect(res.errors).toBeUndefined();
      expect(res.data.logs.edges.length).toBeGreaterThan(0);
      expect(res.data.logs.edges.every((e: any) => e.node.app === 'cart-service')).toBe(true);
    } finally {
      await proxy.restore();
    }
    await eventually(() => health(gw.url), (h) => h.status === 'OK' && h.services.redis === 'OK', 'health back to OK');
    // Affinity trains into Redis again: the search's user->app score lands under our prefix.
    await eventually(
      async () => {
        await search();
        return keysUnder(direct, `${prefix}affinity:`);
      },
      (keys) => keys.length > 0,
      'affinity scores written to Redis after it returned',
    );
  }, 120_000);
});
