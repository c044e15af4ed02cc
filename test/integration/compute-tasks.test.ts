// Compute tasks on the real Kafka broker: bad input (binary, invalid UTF-8, JSON that is not an
// object, unrecognised lines) goes to the dead-letter topic with its bytes and the reason, a line
// over 1 MiB is cut and flagged, and rules are swapped while the task consumes: a new version
// takes effect without restarting the consumer, a bad one is refused and the old one keeps running.

import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEAD_LETTER_HEADERS, type Bus, type BusRecord } from '../../src/compute/bus/index.js';
import { collector, waitFor } from '../../src/compute/bus/testing.js';
import { logbackLine, ruleFolder, testCompute, testRules, writeRules } from '../../src/compute/tasks/testing.js';
import { KAFKA_BROKERS, kafkaTestRun } from '../helpers/kafka.js';

const kafka = kafkaTestRun('tasks');
const T0 = Date.parse('2026-11-21T02:15:00Z');
let bus: Bus;
const dirs: string[] = [];

beforeAll(async () => {
  bus = kafka.bus('client');
  const health = await bus.health();
  if (!health.ok) throw new Error(`Kafka is not answering on ${KAFKA_BROKERS[0]}: ${health.detail}; run \`npm run services\``);
});
afterAll(async () => {
  await kafka.cleanup();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Every record of a topic from the start, as it arrives. */
async function read(topic: string) {
  const got = collector();
  const sub = await bus.subscribe({ groupId: kafka.group(`read-${topic}`), topics: [topic], fromBeginning: true, eachBatch: got.eachBatch });
  return { got, events: () => got.values().map((v) => JSON.parse(v)), stop: () => sub.stop() };
}

describe('bad input on the real broker', () => {
  it('dead-letters each bad record with its bytes and the reason, and cuts a line over 1 MiB with a flag', async () => {
    const text = kafka.topic('bad-text');
    const json = kafka.topic('bad-json');
    const out = kafka.topic('bad-out');
    const dlq = kafka.topic('bad-dlq');
    // Room for the 1.5 MiB line; the output stays under the broker's default limit.
    await kafka.create([text], { partitions: 1, maxMessageBytes: 4 * 1024 * 1024 });
    await kafka.create([json], { partitions: 1 });
    const jsonRules = [
      { id: 't.json', kind: 'dataType', version: 1, online: true, format: 'json', identify: { topics: [json] } },
      { id: 't.json.parse', kind: 'parse', version: 1, online: true, dataType: 't.json', parser: { type: 'json' }, defaults: { domain: 'shop', env: 'prod', app: 'api', file: 'access.log' } },
    ];
    const dir = ruleFolder(testRules('t', { extra: jsonRules }));
    dirs.push(dir);
    const { manager, tailed } = testCompute(bus, dir, [{ id: 'bad', topics: [text, json], rules: ['t.*'], outputTopic: out, deadLetterTopic: dlq, startFrom: 'earliest', groupId: kafka.group('bad') }]);
    try {
      await manager.start();
      expect(manager.get('bad')!.state).toBe('RUNNING');
      const outRead = await read(out);
      const dlqRead = await read(dlq);

      const binary = Buffer.from([0x00, 0x01, 0x02, 0x03, 0xff, 0xfe]);
      const badUtf8 = Buffer.concat([Buffer.from('order 17 '), Buffer.from([0xc3, 0x28]), Buffer.from(' paid')]);
      const huge = logbackLine(T0, `big ${'x'.repeat(1536 * 1024)}`);
      // Each on a stream (key) of its own, so none is taken for a continuation line of another.
      await bus.produce(text, [
        { key: 'bin', value: binary, headers: { app: 'cart-service' } },
        { key: 'utf', value: badUtf8 },
        { key: 'plain', value: 'no layout at all' },
        { key: 'big', value: huge },
        { key: 'good', value: logbackLine(T0 + 1, 'fine') },
      ]);
      await bus.produce(json, [
        { key: 'arr', value: '[1, 2, 3]' },
        { key: 'obj', value: '{"message":"json fine","level":"warn","ts":1795227300002}' },
      ]);

      await waitFor(() => dlqRead.got.records.length >= 4 && outRead.got.records.length >= 3, 'four dead letters and three events', 60_000);
      const byKey = new Map<string, BusRecord>(dlqRead.got.records.map((r) => [r.key!, r]));
      expect([...byKey.keys()].sort()).toEqual(['arr', 'bin', 'plain', 'utf']);
      const reason = (k: string) => byKey.get(k)!.headers[DEAD_LETTER_HEADERS.reason];
      expect(reason('bin')).toBe('binary data: NUL byte at offset 0');
      expect(reason('utf')).toBe('invalid UTF-8 at byte 9');
      expect(reason('plain')).toBe('unrecognised data type (tried t.app, t.json)');
      expect(reason('arr')).toBe('JSON is not an object (got an array)');
      expect(byKey.get('bin')!.value.equals(binary)).toBe(true);
      expect(byKey.get('utf')!.value.equals(badUtf8)).toBe(true);
      expect(byKey.get('bin')!.headers).toMatchObject({ app: 'cart-service', [DEAD_LETTER_HEADERS.topic]: text, [DEAD_LETTER_HEADERS.partition]: '0', [DEAD_LETTER_HEADERS.offset]: '0' });
      expect(byKey.get('arr')!.headers[DEAD_LETTER_HEADERS.topic]).toBe(json);

      const events = outRead.events();
      const big = events.find((e) => e.message.startsWith('big '))!;
      expect(big.fields._truncated).toBe(true);
      expect(Buffer.byteLength(big.message)).toBeLessThanOrEqual(1024 * 1024);
      expect(huge.includes(big.message)).toBe(true);
      expect(events.find((e) => e.message === 'fine')).toMatchObject({ app: 'order-service', level: 'INFO' });
      expect(events.find((e) => e.message === 'json fine')).toMatchObject({ app: 'api', level: 'WARN', ts: 1795227300002 });
      // The tail got the cut line too, flagged.
      expect(tailed.find((e) => e.message.startsWith('big '))!.fields!._truncated).toBe(true);

      const health = await manager.get('bad')!.health();
      expect(health).toMatchObject({ records: 7, events: 3, deadLetters: 4 });
      await Promise.all([outRead.stop(), dlqRead.stop()]);
    } finally {
      await manager.close();
    }
  }, 120_000);
});

describe('rules swapped while the task consumes', () => {
  it('takes a new version without restarting the consumer, refuses a bad one, and loses or repeats no record', async () => {
    const input = kafka.topic('reload-in');
    const out = kafka.topic('reload-out');
    await kafka.create([input], { partitions: 3 });
    const dir = ruleFolder(testRules('t'));
    dirs.push(dir);
    const { manager } = testCompute(bus, dir, [{ id: 'hot', topics: [input], rules: ['t.*'], outputTopic: out, startFrom: 'earliest', groupId: kafka.group('hot') }]);
    let seq = 0;
    let producing = true;
    const producer = (async () => {
      while (producing) {
        const lines = Array.from({ length: 5 }, () => {
          const n = seq++;
          return { key: `file-${n % 6}`, value: logbackLine(T0 + n, `seq ${n}`) };
        });
        await bus.produce(input, lines);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    try {
      await manager.start();
      const task = manager.get('hot')!;
      const startedAt = task.startedAt;
      const outRead = await read(out);
      const apps = () => outRead.events().map((e) => e.app as string);
      await waitFor(() => apps().includes('order-service'), 'events under version 1', 60_000);

      writeRules(dir, testRules('t', { parseVersion: 2, defaults: { domain: 'shop', env: 'prod', app: 'cart-service', file: 'app.log' } }));
      expect(await manager.reloadRules('hot')).toMatchObject({ applied: true, changed: true, issues: [] });
      await waitFor(() => apps().includes('cart-service'), 'events under version 2', 60_000);

      const bad = testRules('t', { parseVersion: 3, defaults: { domain: 'shop', env: 'prod', app: 'user-service', file: 'app.log' } });
      (bad[1] as { time: unknown }).time = { timeZone: 'Mars/Olympus' };
      writeRules(dir, bad);
      const refused = await manager.reloadRules('hot');
      expect(refused.applied).toBe(false);
      expect(refused.issues).toEqual([{ path: 'rules.json#rules[1].time.timeZone', message: 'expected a time zone such as UTC, +08:00 or Asia/Shanghai, got "Mars/Olympus"' }]);
      const afterRefusal = outRead.got.records.length;
      await waitFor(() => outRead.got.records.length > afterRefusal + 20, 'more events after the refused version', 60_000);
      producing = false;
      await producer;

      await waitFor(() => outRead.got.records.length >= seq, `all ${seq} records as events`, 60_000);
      const seqs = outRead.events().map((e) => Number(/^seq (\d+)$/.exec(e.message)![1]));
      expect(seqs).toHaveLength(seq);
      expect(new Set(seqs).size).toBe(seq);
      expect(apps().slice(afterRefusal)).not.toContain('user-service');
      expect(apps().at(-1)).toBe('cart-service');

      expect(task.startedAt).toBe(startedAt);
      expect(task.state).toBe('RUNNING');
      const parse = task.rules().find((r) => r.id === 't.parse')!;
      expect(parse).toMatchObject({ version: 2, running: true, rejected: { where: 'rules.json#rules[1]' } });
      expect(parse.processed).toBe(seq);
      await outRead.stop();
    } finally {
      producing = false;
      await producer;
      await manager.close();
    }
  }, 180_000);
});
