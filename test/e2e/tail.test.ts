// The live tail end to end through the compute core: raw logback lines produced to a task's topic
// on the real Kafka broker reach a graphql-ws subscriber parsed (slots from the record headers),
// joined (a stack trace sent line by line) and masked (a phone and an e-mail pseudonymised). The
// task, its rules and its health are served over GraphQL and /metrics.

import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Bus } from '../../src/compute/bus/index.js';
import { waitFor } from '../../src/compute/bus/testing.js';
import { logbackLine, ruleFolder, TEST_MASK_SECRET, testRules } from '../../src/compute/tasks/testing.js';
import { pseudonymiser } from '../../src/compute/stages/mask.js';
import { KAFKA_BROKERS, kafkaTestRun } from '../helpers/kafka.js';
import { startTestGateway, type TestGateway } from '../helpers/server.js';

const kafka = kafkaTestRun('e2e-tail');
const RUN = randomBytes(4).toString('hex');
const input = kafka.topic('shop-logs');
const dir = ruleFolder(testRules('t'));
const headers = { domain: 'shop', env: 'prod', app: 'cart-service', file: 'app.log', host: 'cart-1' };
let gw: TestGateway;
let producer: Bus;

beforeAll(async () => {
  await kafka.create([input], { partitions: 3 });
  gw = await startTestGateway((c) => ({
    ...c,
    kafka: { brokers: KAFKA_BROKERS, clientId: `logfed-e2e-${RUN}` },
    // The demo keeps the gateway open to callers; on Kafka it writes slowly to a topic of this run.
    demo: { ...c.demo, linesPerSecond: 0.1, topic: kafka.topic('demo') },
    compute: {
      maskSecret: TEST_MASK_SECRET,
      rules: { source: 'files', dir, refreshSeconds: 0 },
      tasks: [{ id: 'shop', topics: [input], rules: ['t.*'], startFrom: 'latest', groupId: kafka.group('shop') }],
    },
  }));
  producer = kafka.bus('producer');
}, 120_000);
afterAll(async () => {
  await gw?.stop();
  await kafka.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const send = (lines: string[], key = 'cart-1/app.log') => producer.produce(input, lines.map((value) => ({ key, value, headers })));

describe('tail through a compute task', () => {
  it('streams events that went through the task to a graphql-ws client: parsed, joined and masked', async () => {
    const client = createClient({ url: gw.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 });
    const got: any[] = [];
    const errors: unknown[] = [];
    const dispose = client.subscribe(
      { query: 'subscription { tail(filter: { domains: ["shop"], apps: ["cart-service"] }) { ts domain env app file host level traceId message fields dropped } }' },
      { next: (m) => got.push(m.data?.tail), error: (e) => errors.push(e), complete: () => undefined },
    );
    try {
      const t0 = Date.now();
      // The subscription starts on the server a moment after the client asks: send until one arrives.
      await waitFor(async () => {
        await send([logbackLine(Date.now(), `warmup ${RUN}`)], 'warmup');
        return got.some((e) => e.message.startsWith('warmup'));
      }, 'the subscription to be live', 60_000);

      await send([
        logbackLine(t0, 'checkout 1 by alice@example.com, sms to 13812345678'),
        logbackLine(t0 + 1, 'checkout 2 failed', 'ERROR'),
        'java.lang.IllegalStateException: cart is empty',
        '\tat c.e.shop.cart.CartService.checkout(CartService.java:42)',
        logbackLine(t0 + 2, 'checkout 3 done'),
      ]);
      const checkouts = () => got.filter((e) => e.message.startsWith('checkout'));
      await waitFor(() => checkouts().length >= 3, 'three checkout events', 60_000);

      const [one, two, three] = checkouts();
      const phone = pseudonymiser({ secret: TEST_MASK_SECRET })('phone', '13812345678');
      expect(one.message).toMatch(new RegExp(`^checkout 1 by <email:[0-9a-f]{8}>, sms to ${phone}$`));
      expect(one.message).not.toContain('alice');
      expect(one).toMatchObject({ domain: 'shop', env: 'prod', app: 'cart-service', file: 'app.log', host: 'cart-1', level: 'INFO', traceId: '7f3a9c2e1b4d5a60', dropped: 0 });
      expect(one.ts).toBe(new Date(t0).toISOString());
      expect(one.fields).toMatchObject({ _type: 't.app', logger: 'c.e.shop.OrderController', thread: 'http-nio-8080-exec-1' });
      expect(two.level).toBe('ERROR');
      expect(two.message).toBe('checkout 2 failed\njava.lang.IllegalStateException: cart is empty\n\tat c.e.shop.cart.CartService.checkout(CartService.java:42)');
      expect(three.message).toBe('checkout 3 done');
      expect(errors).toEqual([]);
    } finally {
      dispose();
      await client.dispose();
    }
  }, 120_000);

  it('serves the task, its rules and its health over GraphQL, and refuses a bad rule with the field', async () => {
    const res = await gw.gql(`{ tasks { id state groupId topics startFrom deadLetterTopic ruleRefs
      rules { id kind version online running processed emitted refreshedAt meanMs }
      health { state assignment { partition } lag { topic partition lag } totalLag records events deadLetters } } }`);
    expect(res.errors).toBeUndefined();
    const task = res.data.tasks.find((t: any) => t.id === 'shop');
    expect(task).toMatchObject({ state: 'RUNNING', groupId: kafka.group('shop'), topics: [input], startFrom: 'LATEST', deadLetterTopic: 'logfed-task-shop-dlq', ruleRefs: ['t.*'] });
    expect(task.rules.map((r: any) => r.id)).toEqual(['t.app', 't.parse', 't.pii']);
    const parse = task.rules.find((r: any) => r.id === 't.parse');
    expect(parse.processed).toBeGreaterThanOrEqual(4);
    expect(parse.refreshedAt).toMatch(/^\d{4}-/);
    expect(task.health.assignment.map((p: any) => p.partition).sort()).toEqual([0, 1, 2]);
    expect(task.health.lag.map((p: any) => p.partition)).toEqual([0, 1, 2]);
    expect(task.health.records).toBeGreaterThanOrEqual(6);

    const rules = await gw.gql('query($id: ID!) { rules(taskId: $id) { id version } }', { id: 'shop' });
    expect(rules.data.rules).toHaveLength(3);

    const bad = await gw.gql('mutation($r: JSON!) { upsertRule(rule: $r) { id } }', { r: { id: 't.pii', kind: 'mask', version: 2, online: true, detect: ['fax'] } });
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', issues: [{ path: 'detect[0]', message: 'expected one of phone|idCard|email|token|card, got "fax"' }] });
    const reload = await gw.gql('mutation { reloadRules(taskId: "shop") { applied changed issues { path } } }');
    expect(reload.data.reloadRules).toEqual({ applied: false, changed: false, issues: [] });

    const missing = await gw.gql('mutation { stopTask(id: "nope") { id } }');
    expect(missing.errors?.[0].extensions.code).toBe('NOT_FOUND');

    const metrics = await (await fetch(gw.url.replace('/graphql', '/metrics'))).text();
    expect(metrics).toMatch(/logfed_task_running\{task="shop"\} 1/);
    expect(metrics).toMatch(/logfed_task_lag\{task="shop",topic="[^"]+",partition="0"\} \d+/);
    expect(metrics).toMatch(/logfed_task_events_total\{task="shop"\} \d+/);
    expect(metrics).toMatch(/logfed_compute_rule_seconds_total\{pipeline="shop",rule="t.parse",kind="parse"\}/);
  }, 60_000);

  it('stops and starts the task over GraphQL', async () => {
    const stopped = await gw.gql('mutation { stopTask(id: "shop") { state health { assignment { partition } } } }');
    expect(stopped.data.stopTask).toEqual({ state: 'STOPPED', health: { assignment: [] } });
    const started = await gw.gql('mutation { startTask(id: "shop") { state lastError } }');
    expect(started.data.startTask).toEqual({ state: 'RUNNING', lastError: null });
  }, 60_000);
});
