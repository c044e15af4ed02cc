// The live tail across gateway replicas through the real Redis: events a task processes on one
// replica reach tail subscribers on another, each subscriber sees every event once, and while a
// replica cannot reach Redis its tail stays local (counted) and recovers by itself.

import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer, Socket, type Server } from 'node:net';
import { createClient } from 'graphql-ws';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { waitFor } from '../../src/compute/bus/testing.js';
import { logbackLine, ruleFolder, TEST_MASK_SECRET, testRules } from '../../src/compute/tasks/testing.js';
import type { LogEvent } from '../../src/core/event.js';
import { startTailFanout } from '../../src/pubsub/redis-fanout.js';
import { TailHub } from '../../src/pubsub/tail-hub.js';
import { createRedis } from '../../src/store/redis.js';
import { KAFKA_BROKERS, kafkaTestRun } from '../helpers/kafka.js';
import { startTestGateway, type TestGateway } from '../helpers/server.js';

const REDIS_URL = process.env.LOGFED_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const RUN = randomBytes(4).toString('hex');
const kafka = kafkaTestRun('tail-redis');
const T0 = Date.parse('2026-11-21T02:15:00Z');

beforeAll(async () => {
  const probe = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await probe.ping();
  } catch (err) {
    throw new Error(`Redis at ${REDIS_URL} does not answer (${(err as Error).message}); run \`npm run services\``);
  } finally {
    probe.disconnect();
  }
});
afterAll(() => kafka.cleanup());

/** A graphql-ws tail subscription that keeps what it receives. */
function liveTail(gw: TestGateway, filter = '{}') {
  const client = createClient({ url: gw.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 });
  const got: any[] = [];
  const errors: unknown[] = [];
  const dispose = client.subscribe(
    { query: `subscription { tail(filter: ${filter}) { ts domain app message dropped } }` },
    { next: (m) => got.push(m.data?.tail), error: (e) => errors.push(e), complete: () => undefined },
  );
  return {
    got,
    errors,
    messages: (prefix: string) => got.map((e) => e.message as string).filter((m) => m.startsWith(prefix)),
    close: async () => {
      dispose();
      await client.dispose();
    },
  };
}

const event = (message: string): LogEvent => ({ ts: Date.now(), domain: 'shop', env: 'prod', app: 'cart-service', file: 'app.log', message });

describe('tail fan-out between two gateways', () => {
  const channel = `logfed-test:tail:${RUN}`;
  const dir = ruleFolder(testRules('t'));
  const input = kafka.topic('fan-in');
  let a: TestGateway;
  let b: TestGateway;

  beforeAll(async () => {
    await kafka.create([input], { partitions: 3 });
    // The demo keeps running (it is what opens the gateway to callers), slowly and unread; on
    // Kafka its topic is named after the run so that it is removed with the others.
    const replica = (compute: object, extra: object = {}, demoTopic?: string) =>
      startTestGateway((c) => ({
        ...c,
        redis: { url: REDIS_URL },
        tail: { channel, flushMs: 20 },
        demo: { ...c.demo, linesPerSecond: 0.1, ...(demoTopic ? { topic: demoTopic } : {}) },
        compute,
        ...extra,
      }));
    a = await replica(
      { maskSecret: TEST_MASK_SECRET, rules: { source: 'files', dir, refreshSeconds: 0 }, tasks: [{ id: 'fan', topics: [input], rules: ['t.*'], startFrom: 'earliest' }] },
      { kafka: { brokers: KAFKA_BROKERS, clientId: `logfed-test-${RUN}` } },
      kafka.topic('demo'),
    );
    b = await replica({ tasks: [] });
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers events a task processed on one replica to subscribers on the other, each once', async () => {
    expect(a.runtime.compute.get('fan')!.state).toBe('RUNNING');
    const onA = liveTail(a);
    const onB = liveTail(b);
    try {
      // Subscriptions start on the server a moment after the client asks; warm up until both see B's events.
      await waitFor(() => {
        b.runtime.tail.publish(event('warmup'));
        return onA.messages('warmup').length > 0 && onB.messages('warmup').length > 0;
      }, 'both subscriptions to be live');

      const N = 40;
      await kafka.bus('producer').produce(
        input,
        Array.from({ length: N }, (_, i) => ({ key: `file-${i % 4}`, value: logbackLine(T0 + i, `fanout ${i} mailed user${i}@example.com`) })),
      );
      await waitFor(() => onB.messages('fanout').length >= N, `${N} events on the other replica`, 60_000);

      // B publishes after it has seen all of A's events, so A's own echoes are on the channel before it.
      b.runtime.tail.publish(event('marker'));
      await waitFor(() => onA.messages('marker').length === 1, 'the marker on A');

      const seenA = onA.messages('fanout');
      const seenB = onB.messages('fanout');
      expect(seenA).toHaveLength(N);
      expect(new Set(seenA).size).toBe(N);
      expect(new Set(seenB)).toEqual(new Set(seenA));
      expect(seenB).toHaveLength(N);
      for (const m of seenB) expect(m).toMatch(/^fanout \d+ mailed <email:[0-9a-f]{8}>$/);
      expect(onA.errors).toEqual([]);
      expect(onB.errors).toEqual([]);
    } finally {
      await Promise.all([onA.close(), onB.close()]);
    }
  }, 120_000);
});

/**
 * A TCP proxy in front of Redis that can be cut and restored, to take Redis away from one replica
 * only; `dropOn(command)` closes the connection that next sends that command, before it reaches Redis.
 */
async function redisProxy(): Promise<{ url: string; cut(): Promise<void>; restore(): Promise<void>; dropOn(command: string): Promise<void> }> {
  const target = new URL(REDIS_URL);
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  let drop: { command: string; done: () => void } | undefined;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer((client) => {
        const upstream = new Socket();
        upstream.connect(Number(target.port || 6379), target.hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => s.destroy());
        }
        client.on('data', (chunk: Buffer) => {
          if (drop && chunk.toString('latin1').toUpperCase().includes(drop.command)) {
            const { done } = drop;
            drop = undefined;
            client.destroy();
            upstream.destroy();
            done();
            return;
          }
          if (!upstream.write(chunk)) client.pause();
        });
        upstream.on('drain', () => client.resume());
        upstream.pipe(client);
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as { port: number }).port;
        resolve();
      });
    });
  await listen();
  return {
    url: `redis://127.0.0.1:${port}`,
    cut: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server!.close(() => resolve());
      }),
    restore: listen,
    dropOn: (command) => new Promise<void>((done) => (drop = { command: command.toUpperCase(), done })),
  };
}

/** Two replicas' hubs sharing a channel, A's Redis behind a proxy; close() waits for `drain` as the hubs close. */
async function pairBehindProxy(name: string) {
  const proxy = await redisProxy();
  const channel = `logfed-test:tail-${name}:${RUN}`;
  const clientA = createRedis(proxy.url, { maxReconnectDelayMs: 200 });
  const clientB = createRedis(REDIS_URL);
  await Promise.all([clientA.connect(), clientB.connect()]);
  const hubA = new TailHub();
  const hubB = new TailHub();
  const fanA = await startTailFanout(hubA, { redis: clientA, channel, flushMs: 10, maxBatch: 100 });
  const fanB = await startTailFanout(hubB, { redis: clientB, channel, flushMs: 10, maxBatch: 100 });
  const close = async (drain: Promise<void>) => {
    await Promise.all([fanA.close(), fanB.close()]);
    hubA.close();
    hubB.close();
    await drain;
    clientA.disconnect();
    clientB.disconnect();
    await proxy.cut();
  };
  return { proxy, clientA, hubA, hubB, fanA, fanB, close };
}

describe('tail fan-out while Redis is away', () => {
  it('subscribes again after losing the connection while subscribing again, and goes on receiving', async () => {
    const { proxy, hubA, hubB, fanA, fanB, close } = await pairBehindProxy('resubscribe');
    const onA = hubA.subscribe();
    const seenA: string[] = [];
    const drain = (async () => {
      for await (const e of onA) seenA.push(e.message);
    })();
    try {
      await waitFor(() => (hubB.publish(event('before')), seenA.includes('before')), 'B to reach A');
      // The first SUBSCRIBE after an outage loses its connection, and Redis stays away for several
      // reconnection attempts, so that command fails for good. A must neither crash (an unhandled
      // rejection fails this run) nor stay unsubscribed once Redis is back.
      const dropped = proxy.dropOn('SUBSCRIBE');
      await proxy.cut();
      await proxy.restore();
      await dropped;
      await proxy.cut();
      await new Promise((r) => setTimeout(r, 2_000));
      await proxy.restore();
      await waitFor(() => (hubB.publish(event('after')), seenA.includes('after')), 'B to reach A again', 60_000);
    } finally {
      await close(drain);
    }
  }, 120_000);

  it('keeps the tail local and counts what was not shared, then shares again once Redis is back', async () => {
    const { proxy, clientA, hubA, hubB, fanA, fanB, close } = await pairBehindProxy('outage');
    const localA = hubA.subscribe();
    const remoteB = hubB.subscribe();
    const seenB: string[] = [];
    const drain = (async () => {
      for await (const e of remoteB) seenB.push(e.message);
    })();
    try {
      await waitFor(() => {
        hubA.publish(event('before'));
        return seenB.includes('before');
      }, 'A to share with B');

      // A field JSON cannot carry keeps that one event local, and the hub goes on.
      hubA.publish({ ...event('odd'), fields: { n: 1n } });
      expect(fanA.stats().localOnly).toBe(1);

      await proxy.cut();
      await waitFor(() => clientA.status !== 'ready', 'A to notice Redis is gone');
      for (let i = 0; i < 5; i++) hubA.publish(event(`during ${i}`));
      await waitFor(() => fanA.stats().localOnly >= 6, 'the unshared events to be counted');
      const local: string[] = [];
      while (local.length < 5) {
        const next = (await localA.next()).value!.message;
        if (next.startsWith('during')) local.push(next);
      }
      expect(local).toEqual(['during 0', 'during 1', 'during 2', 'during 3', 'during 4']);

      await proxy.restore();
      await waitFor(() => {
        hubA.publish(event('after'));
        return seenB.includes('after');
      }, 'A to share with B again', 60_000);
      expect(seenB.filter((m) => m.startsWith('during'))).toEqual([]);
      expect(fanB.stats().received).toBeGreaterThanOrEqual(2);
      expect(fanA.stats().sent).toBeGreaterThanOrEqual(2);
    } finally {
      await close(drain);
    }
  }, 120_000);
});
