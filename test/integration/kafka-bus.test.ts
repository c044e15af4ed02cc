// The bus on the real Kafka broker that scripts/services.sh runs (127.0.0.1:9092): the same
// contract the in-process bus keeps, checked where it matters most, on a real consumer group.

import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaBus, deadLetter, DEAD_LETTER_HEADERS, partitionForKey, type Bus, type BusRecord } from '../../src/compute/bus/index.js';
import { collector, waitFor } from '../../src/compute/bus/testing.js';
import { LogfedError } from '../../src/errors/index.js';
import { sentinelPerPartition } from '../helpers/kafka.js';

const BROKERS = ['127.0.0.1:9092'];
const RUN = `${Date.now().toString(36)}-${process.pid}`;
const created: string[] = [];
const topicName = (name: string) => {
  const topic = `logfed-test-${name}-${RUN}`;
  created.push(topic);
  return topic;
};
const group = (name: string) => `logfed-test-${name}-${RUN}`;
const messages = (n: number, prefix = 'm') => Array.from({ length: n }, (_, i) => ({ key: `key-${i}`, value: `${prefix}${i}` }));

let bus: Bus;

beforeAll(async () => {
  bus = createKafkaBus({ brokers: BROKERS, clientId: `logfed-test-${RUN}`, maxWaitMs: 100, heartbeatIntervalMs: 1_000 });
  const health = await bus.health();
  if (!health.ok) throw new Error(`Kafka is not answering on ${BROKERS[0]}: ${health.detail}`);
});

afterAll(async () => {
  await bus?.close();
  // Topics are unique per run; removing them keeps the local broker's disk from growing run after run.
  const admin = new Kafka({ brokers: BROKERS, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: created }).catch(() => undefined);
  await admin.disconnect();
});

describe('kafka bus', () => {
  it('reports a healthy broker', async () => {
    const health = await bus.health();
    expect(health).toMatchObject({ ok: true });
    expect(health.detail).toContain('1 broker');
  });

  it('produces and consumes keyed records with headers, partitioned as the memory bus does', async () => {
    const topic = topicName('roundtrip');
    await bus.ensureTopics([{ topic, partitions: 3 }]);
    const got = collector();
    const sub = await bus.subscribe({ groupId: group('roundtrip'), topics: [topic], fromBeginning: true, eachBatch: got.eachBatch });
    await bus.produce(
      topic,
      messages(12).map((m) => ({ ...m, headers: { source: 'test' } })),
    );
    await waitFor(() => got.records.length >= 12, '12 records back from Kafka');
    expect(got.values().sort()).toEqual(messages(12).map((m) => m.value).sort());
    for (const r of got.records) {
      expect(r.partition).toBe(partitionForKey(r.key!, 3));
      expect(r.headers).toEqual({ source: 'test' });
      expect(r.timestamp).toBeGreaterThan(0);
      expect(Buffer.isBuffer(r.value)).toBe(true);
    }
    await waitFor(async () => (await sub.lag()).every((p) => p.lag === 0), 'the group to have committed everything');
    await sub.stop();
  });

  it('shares a 3-partition topic between two members of a group; together they see every record once', async () => {
    const topic = topicName('shared');
    const groupId = group('shared');
    await bus.ensureTopics([{ topic, partitions: 3 }]);
    const a = collector();
    const b = collector();
    const subA = await bus.subscribe({ groupId, topics: [topic], fromBeginning: true, eachBatch: a.eachBatch });
    const subB = await bus.subscribe({ groupId, topics: [topic], fromBeginning: true, eachBatch: b.eachBatch });
    await waitFor(
      () => subA.assignment().length > 0 && subB.assignment().length > 0 && subA.assignment().length + subB.assignment().length === 3,
      'both members to own partitions',
      60_000,
    );
    const owned = [...subA.assignment(), ...subB.assignment()].map((tp) => tp.partition).sort();
    expect(owned).toEqual([0, 1, 2]);

    await bus.produce(topic, messages(60));
    // One sentinel per partition: once each is seen, everything before it in that partition was.
    const sentinels = sentinelPerPartition(3);
    await bus.produce(topic, sentinels);
    const seen = () => [...a.values(), ...b.values()];
    await waitFor(() => sentinels.every((s) => seen().includes(s.value)), 'the sentinel of every partition', 60_000);

    const values = seen().filter((v) => !v.startsWith('sentinel'));
    expect(values).toHaveLength(60);
    expect(new Set(values).size).toBe(60);
    expect(a.records.length).toBeGreaterThan(0);
    expect(b.records.length).toBeGreaterThan(0);
    const mine = (records: BusRecord[], parts: number[]) => records.every((r) => parts.includes(r.partition));
    expect(mine(a.records, subA.assignment().map((tp) => tp.partition))).toBe(true);
    expect(mine(b.records, subB.assignment().map((tp) => tp.partition))).toBe(true);
    await Promise.all([subA.stop(), subB.stop()]);
  }, 120_000);

  it('commits only what ctx.commit says; a member restarted in the group resumes there', async () => {
    const topic = topicName('manual');
    const groupId = group('manual');
    await bus.ensureTopics([{ topic, partitions: 1 }]);
    await bus.produce(topic, messages(10));
    const first = collector(async (records, ctx) => {
      // Hold back everything from offset 4 on, as an open window would.
      const done = records.filter((r) => Number(r.offset) < 4);
      if (done.length > 0) await ctx.commit([{ topic, partition: 0, offset: String(Number(done.at(-1)!.offset) + 1) }]);
    });
    const sub = await bus.subscribe({ groupId, topics: [topic], fromBeginning: true, autoCommit: false, eachBatch: first.eachBatch });
    await waitFor(() => first.records.length >= 10, 'the first member to read all 10', 60_000);
    expect(await sub.lag()).toEqual([{ topic, partition: 0, lag: 6 }]);
    await sub.stop();

    const second = collector();
    const again = await bus.subscribe({ groupId, topics: [topic], fromBeginning: true, eachBatch: second.eachBatch });
    await waitFor(() => second.records.length >= 6, 'the restarted member to read from the commit', 60_000);
    expect(second.records.map((r) => r.offset)).toEqual(['4', '5', '6', '7', '8', '9']);
    await again.stop();
  }, 120_000);

  it('delivers a batch again when its handler fails', async () => {
    const topic = topicName('flaky');
    await bus.ensureTopics([{ topic, partitions: 1 }]);
    let calls = 0;
    const got = collector(async () => {
      calls++;
      if (calls === 1) throw new Error('transient failure');
    });
    const sub = await bus.subscribe({ groupId: group('flaky'), topics: [topic], fromBeginning: true, eachBatch: got.eachBatch });
    await bus.produce(topic, messages(3));
    await waitFor(() => got.records.length >= 3, 'the failed batch to come again', 60_000);
    expect(got.values()).toEqual(['m0', 'm1', 'm2']);
    expect(calls).toBeGreaterThanOrEqual(2);
    await sub.stop();
  }, 120_000);

  it('delivers a batch again when its handler fails with an error marked not retriable', async () => {
    const topic = topicName('fatal');
    await bus.ensureTopics([{ topic, partitions: 1 }]);
    let calls = 0;
    const got = collector(async () => {
      calls++;
      if (calls === 1) throw new LogfedError('BAD_CONFIG', 'a handler bug, not a broker problem');
    });
    const sub = await bus.subscribe({ groupId: group('fatal'), topics: [topic], fromBeginning: true, eachBatch: got.eachBatch });
    await bus.produce(topic, messages(3));
    await waitFor(() => got.records.length >= 3, 'the batch to come again after a non-retriable failure', 60_000);
    expect(got.values()).toEqual(['m0', 'm1', 'm2']);
    await sub.stop();
  }, 120_000);

  it('produces a call larger than the broker takes in one request, in order', async () => {
    const topic = topicName('large');
    await bus.ensureTopics([{ topic, partitions: 1 }]);
    // 3 MB to one partition: over the broker's 1 MB limit for one record batch.
    const big = Array.from({ length: 3_000 }, (_, i) => ({ key: 'one', value: `${i} ${'x'.repeat(1_000)}` }));
    await bus.produce(topic, big);
    const got = collector();
    const sub = await bus.subscribe({ groupId: group('large'), topics: [topic], fromBeginning: true, eachBatch: got.eachBatch });
    await waitFor(() => got.records.length >= 3_000, 'all 3,000 records', 60_000);
    expect(got.values().map((v) => Number(v.split(' ')[0]))).toEqual(big.map((_, i) => i));
    await sub.stop();
  }, 120_000);

  it('writes the same records from its produce thread as from its own thread: bytes, keys, headers, partitions and order', async () => {
    const own = createKafkaBus({ brokers: BROKERS, clientId: `logfed-test-own-${RUN}`, maxWaitMs: 100, produceThread: false });
    try {
      const records = Array.from({ length: 2_400 }, (_, i) => ({
        key: i % 5 === 4 ? null : `file-${i % 5}`,
        value: i % 3 === 0 ? Buffer.from([i >> 8, i & 0xff, 0x00, 0xff]) : `${i} 日志 ${'x'.repeat(i % 700)}`,
        ...(i % 4 === 0 ? { headers: { seq: String(i) } } : {}),
      }));
      const read = async (name: string, writer: Bus) => {
        const topic = topicName(name);
        await bus.ensureTopics([{ topic, partitions: 3 }]);
        // Two calls at once, as two partitions' batches of a task write: each call stays in order.
        await Promise.all([writer.produce(topic, records.slice(0, 1_200)), writer.produce(topic, records.slice(1_200))]);
        const got = collector();
        const sub = await bus.subscribe({ groupId: group(name), topics: [topic], fromBeginning: true, eachBatch: got.eachBatch });
        await waitFor(() => got.records.length >= records.length, `${records.length} records from ${name}`, 60_000);
        await sub.stop();
        return got.records;
      };
      const [threaded, direct] = [await read('thread', bus), await read('direct', own)];
      // Records without a key go round-robin from a random partition, so only keyed ones have a fixed place.
      const view = (rs: BusRecord[]) =>
        rs.map((r) => ({ partition: r.key === null ? -1 : r.partition, key: r.key, value: r.value.toString('hex'), headers: r.headers })).sort((a, b) => a.value.localeCompare(b.value));
      expect(view(threaded)).toEqual(view(direct));
      const expected = records.map((r) => (typeof r.value === 'string' ? Buffer.from(r.value) : r.value).toString('hex'));
      expect(threaded.map((r) => r.value.toString('hex')).sort()).toEqual([...expected].sort());
      for (const r of threaded) if (r.key !== null) expect(r.partition).toBe(partitionForKey(r.key, 3));
      // Within a partition, each call's records keep the order they were given in.
      for (const half of [expected.slice(0, 1_200), expected.slice(1_200)]) {
        const rank = new Map(half.map((v, i) => [v, i]));
        for (const p of [0, 1, 2]) {
          const order = threaded.filter((r) => r.partition === p && rank.has(r.value.toString('hex'))).map((r) => rank.get(r.value.toString('hex'))!);
          expect(order).toEqual([...order].sort((a, b) => a - b));
        }
      }
    } finally {
      await own.close();
    }
  }, 120_000);

  it('hands a large fetch on in pieces of at most maxBatchSize, in order; a failed piece is delivered again from itself', async () => {
    const pieces = createKafkaBus({ brokers: BROKERS, clientId: `logfed-test-pieces-${RUN}`, maxWaitMs: 100, heartbeatIntervalMs: 1_000, maxBatchSize: 100 });
    try {
      const topic = topicName('pieces');
      await bus.ensureTopics([{ topic, partitions: 1 }]);
      await bus.produce(topic, messages(1_000, 'p'));
      const sizes: number[] = [];
      const offsets: number[] = [];
      let failed = false;
      const sub = await pieces.subscribe({
        groupId: group('pieces'),
        topics: [topic],
        fromBeginning: true,
        eachBatch: async (records) => {
          sizes.push(records.length);
          // The third piece fails once, after the first two were handled.
          if (!failed && Number(records[0]!.offset) === 200) {
            failed = true;
            throw new Error('third piece fails once');
          }
          offsets.push(...records.map((r) => Number(r.offset)));
        },
      });
      await waitFor(() => offsets.length >= 1_000, 'all 1,000 records handled', 60_000);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(100);
      expect(failed).toBe(true);
      // Handled once each and in offset order: the failed piece came again, the two before it did not.
      expect(offsets).toEqual(Array.from({ length: 1_000 }, (_, i) => i));
      await waitFor(async () => (await sub.lag()).every((p) => p.lag === 0), 'the group to have committed everything');
      await sub.stop();
    } finally {
      await pieces.close();
    }
  }, 120_000);

  it('dead-letters a record with its reason and source position', async () => {
    const input = topicName('dl-in');
    const dlq = topicName('dl-out');
    await bus.ensureTopics([{ topic: input, partitions: 1 }, { topic: dlq, partitions: 1 }]);
    const dead = collector();
    const reader = await bus.subscribe({ groupId: group('dl-reader'), topics: [dlq], fromBeginning: true, eachBatch: dead.eachBatch });
    const parser = await bus.subscribe({
      groupId: group('dl-parser'),
      topics: [input],
      fromBeginning: true,
      eachBatch: async (records) => {
        for (const r of records) await deadLetter(bus, dlq, r, 'not JSON: unexpected token');
      },
    });
    const raw = Buffer.from([0x7b, 0xff, 0x00]);
    await bus.produce(input, [{ key: 'k1', value: raw, headers: { origin: 'agent-7' } }]);
    await waitFor(() => dead.records.length >= 1, 'the dead letter', 60_000);
    const r = dead.records[0]!;
    expect(r.value.equals(raw)).toBe(true);
    expect(r.key).toBe('k1');
    expect(r.headers).toEqual({
      origin: 'agent-7',
      [DEAD_LETTER_HEADERS.reason]: 'not JSON: unexpected token',
      [DEAD_LETTER_HEADERS.topic]: input,
      [DEAD_LETTER_HEADERS.partition]: '0',
      [DEAD_LETTER_HEADERS.offset]: '0',
    });
    await Promise.all([reader.stop(), parser.stop()]);
  }, 120_000);

  it('refuses to subscribe to a topic that does not exist, naming the fix', async () => {
    const err = await bus.subscribe({ groupId: group('missing'), topics: [`logfed-test-missing-${RUN}`], eachBatch: async () => undefined }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'NOT_FOUND' });
    expect((err as Error).message).toContain('ensureTopics');
  });

  it('refuses to produce to a topic nobody created while auto-creation is off', async () => {
    const strict = createKafkaBus({ brokers: BROKERS, retries: 1 });
    try {
      const topic = `logfed-test-unmade-${RUN}`;
      const err = await strict.produce(topic, [{ value: 'x' }]).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'NOT_FOUND' });
      expect((err as Error).message).toContain(`ensureTopics([{ topic: '${topic}' }])`);
    } finally {
      await strict.close();
    }
  }, 60_000);

  it('names the brokers and `npm run services` when nothing listens there', async () => {
    // Port 1 on loopback: nothing listens, so the connection is refused at once.
    const down = createKafkaBus({ brokers: ['127.0.0.1:1'], retries: 0, connectionTimeoutMs: 500 });
    try {
      const err = await down.produce('anything', [{ value: 'x' }]).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'BACKEND_UNAVAILABLE', retriable: true });
      expect((err as Error).message).toContain('127.0.0.1:1');
      expect((err as Error).message).toContain('npm run services');
      const health = await down.health();
      expect(health.ok).toBe(false);
      expect(health.detail).toContain('127.0.0.1:1');
    } finally {
      await down.close();
    }
  });
});
