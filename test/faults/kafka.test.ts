// Kafka goes away under a running gateway, through a proxy this test cuts (it rewrites the
// broker address Kafka advertises, so every connection of the gateway runs through it, while
// the shared broker stays up for other tests): /healthz reports Kafka and the tail down,
// searches are unaffected; once Kafka is back the demo's events flow to the tail again.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KAFKA_BROKERS, kafkaTestRun } from '../helpers/kafka.js';
import { startTestGateway, type TestGateway } from '../helpers/server.js';
import { eventually, health } from './helpers.js';
import { startTcpProxy, type TcpProxy } from './proxy.js';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const kafka = kafkaTestRun('faults');
let proxy: TcpProxy;
let gw: TestGateway;

beforeAll(async () => {
  const [host, port] = KAFKA_BROKERS[0]!.split(':');
  proxy = await startTcpProxy({ host: host!, port: Number(port) }, { kafka: true });
  const topic = kafka.topic('demo');
  gw = await startTestGateway((c) => ({
    ...c,
    kafka: { brokers: [`127.0.0.1:${proxy.port}`], clientId: `logfed-faults-${process.pid}` },
    demo: { ...c.demo, topic, linesPerSecond: 50 },
    compute: { ...c.compute, tasks: [{ id: 'demo', topics: [topic], rules: ['demo.*'], startFrom: 'latest', groupId: kafka.group('demo') }] },
    patterns: { enabled: false },
  }));
}, 120_000);
afterAll(async () => {
  await gw?.stop();
  await proxy?.close();
  await kafka.cleanup();
});

/** Resolves with the first live event a new tail subscription receives. */
function firstTailEvent(): Promise<{ domain: string }> {
  const client = createClient({ url: gw.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 });
  return new Promise((resolve, reject) => {
    const dispose = client.subscribe(
      { query: 'subscription { tail(filter: {}) { domain } }' },
      {
        next: (m) => {
          dispose();
          void client.dispose();
          resolve(m.data!.tail as { domain: string });
        },
        error: reject,
        complete: () => undefined,
      },
    );
  });
}

const SEARCH = '{ logs(query: { domains: ["pay"] }, first: 5, strategy: ALL) { edges { node { domain } } } }';

describe('Kafka down', () => {
  it('reports the tail unavailable while searches answer, and streams again when Kafka returns', async () => {
    await eventually(() => health(gw.url), (h) => h.services.kafka === 'OK' && h.services.tail === 'OK', 'Kafka healthy through the proxy');
    expect(['shop', 'pay']).toContain((await firstTailEvent()).domain);
    try {
      await proxy.cut();
      const down = await eventually(() => health(gw.url), (h) => h.services.kafka === 'DOWN' && h.services.tail === 'DOWN', 'health reporting Kafka and the tail down');
      expect(down).toMatchObject({ httpStatus: 200, status: 'DEGRADED' });
      const res = await gw.gql(SEARCH);
      expect(res.errors).toBeUndefined();
      expect(res.data.logs.edges.length).toBeGreaterThan(0);
    } finally {
      await proxy.restore();
    }
    await eventually(() => health(gw.url), (h) => h.status === 'OK' && h.services.kafka === 'OK' && h.services.tail === 'OK', 'health back to OK');
    expect(['shop', 'pay']).toContain((await firstTailEvent()).domain);
  }, 180_000);
});
