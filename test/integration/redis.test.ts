// A real round trip through createRedis against the Redis that scripts/services.sh runs, plus
// the behaviour while Redis is down: calls fail fast with the URL and the fix, and the client
// recovers by itself when the server returns (checked on a throwaway server this test starts).

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { freePort } from '../helpers/ports.js';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/compute/bus/testing.js';
import { checkRedis, createRedis, redisError } from '../../src/store/redis.js';

const REDIS_URL = process.env.LOGFED_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `logfed-it:${randomBytes(5).toString('hex')}:`;
const clients: Redis[] = [];
const client = (opts: Parameters<typeof createRedis>[1] = {}, url = REDIS_URL) => {
  const c = createRedis(url, opts);
  clients.push(c);
  return c;
};

let redis: Redis;

beforeAll(async () => {
  redis = client({ keyPrefix: prefix });
  const health = await checkRedis(redis);
  if (!health.ok) throw new Error(`Redis at ${REDIS_URL} does not answer (${health.detail}): run \`npm run services\``);
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  // KEYS returns full names; the client adds the prefix again, so delete through a bare client.
  if (keys.length > 0) await client().del(...keys);
  clients.forEach((c) => c.disconnect());
});

describe('redis client', () => {
  it('reports the server it reached', async () => {
    const health = await checkRedis(redis);
    expect(health.ok).toBe(true);
    expect(health.detail).toMatch(/^Redis \S+ at redis:\/\/127\.0\.0\.1:6379$/);
  });

  it('sets and gets a value under its key prefix', async () => {
    await redis.set('greeting', 'héllo', 'EX', 60);
    expect(await redis.get('greeting')).toBe('héllo');
    expect(await client().get(`${prefix}greeting`)).toBe('héllo');
  });

  it('increments sorted-set scores and ranks them', async () => {
    await redis.zincrby('affinity:alice', 5, 'checkout');
    await redis.zincrby('affinity:alice', 1, 'search');
    await redis.zincrby('affinity:alice', 1, 'search');
    expect(await redis.zscore('affinity:alice', 'checkout')).toBe('5');
    expect(await redis.zrevrange('affinity:alice', 0, -1, 'WITHSCORES')).toEqual(['checkout', '5', 'search', '2']);
  });

  it('carries a pub/sub message from one client to another', async () => {
    const channel = `${prefix}events`;
    const subscriber = client();
    const publisher = client();
    const received: string[] = [];
    subscriber.on('message', (ch: string, message: string) => {
      if (ch === channel) received.push(message);
    });
    await subscriber.subscribe(channel);
    expect(await publisher.publish(channel, 'pattern-updated:42')).toBe(1);
    await waitFor(() => received.length === 1, 'the published message', 10_000);
    expect(received).toEqual(['pattern-updated:42']);
  });

  it('fails fast with the URL (without password) and the fix when nothing listens', async () => {
    const down = client({}, 'redis://:s3cret@127.0.0.1:1');
    const err = await down.get('x').then(
      () => new Error('expected GET to fail while nothing listens'),
      (e: unknown) => redisError(down, e),
    );
    expect(err).toMatchObject({ code: 'BACKEND_UNAVAILABLE', retriable: true });
    expect(err.message).toContain('redis://:***@127.0.0.1:1');
    expect(err.message).not.toContain('s3cret');
    expect(err.message).toContain('npm run services');
    expect((await checkRedis(down)).ok).toBe(false);
  });

  it('recovers by itself when Redis comes back', async () => {
    const port = await freePort();
    let server = await startRedis(port);
    try {
      const c = client({ maxReconnectDelayMs: 200 }, `redis://127.0.0.1:${port}`);
      await c.set('k', 'v1');
      await stopRedis(server);
      await expect(c.get('k')).rejects.toThrow();
      server = await startRedis(port);
      await waitFor(async () => (await c.set('k', 'v2').then(() => true, () => false)), 'the client to reconnect', 20_000);
      expect(await c.get('k')).toBe('v2');
    } finally {
      await stopRedis(server);
    }
  }, 60_000);
});


async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const probe = createRedis(`redis://127.0.0.1:${port}`);
  try {
    await waitFor(async () => (await checkRedis(probe)).ok, `a throwaway redis-server on port ${port}`, 15_000);
  } finally {
    probe.disconnect();
  }
  return child;
}

async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
