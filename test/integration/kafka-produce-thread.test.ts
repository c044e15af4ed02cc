// A Kafka bus's produce thread that dies, on the real broker: the call it held fails with a
// retriable error naming the thread, and the next call starts a new thread whose records reach the
// topic once each, keys and headers intact.

import { afterAll, describe, expect, it } from 'vitest';
import { createKafkaBus, type Bus, type BusMessage } from '../../src/compute/bus/index.js';
import { collector, waitFor, watchProduceThread, type ProduceThreadWatch } from '../../src/compute/bus/testing.js';
import { KAFKA_BROKERS, kafkaTestRun, sentinelPerPartition } from '../helpers/kafka.js';

const run = kafkaTestRun('produce-thread');
afterAll(() => run.cleanup());

const batch = (prefix: string, n: number): BusMessage[] =>
  Array.from({ length: n }, (_, i) => ({ key: `${prefix}-key-${i % 7}`, value: `${prefix}-${i}`, headers: { call: prefix, seq: String(i) } }));

const PARTITIONS = 3;

/** Everything on `topic`, once the sentinel produced last to each of its partitions is seen. */
async function readAll(bus: Bus, topic: string, name: string) {
  const sentinels = sentinelPerPartition(PARTITIONS);
  await bus.produce(topic, sentinels);
  const got = collector();
  const sub = await bus.subscribe({ groupId: run.group(name), topics: [topic], fromBeginning: true, eachBatch: got.eachBatch });
  await waitFor(() => sentinels.every((s) => got.values().includes(s.value)), `the sentinel of every partition of ${topic}`, 60_000);
  await sub.stop();
  return got.records.filter((r) => !r.value.toString().startsWith('sentinel'));
}

/** A bus whose produce threads are watched, and a PARTITIONS-partition topic of its own; the bus is closed after `body`. */
async function withWatchedBus(name: string, body: (bus: Bus, watch: ProduceThreadWatch, topic: string) => Promise<void>) {
  const watch = watchProduceThread();
  const bus = createKafkaBus({ brokers: KAFKA_BROKERS, clientId: `logfed-test-${name}-${process.pid}`, maxWaitMs: 100 }, { produceThread: watch.observer });
  try {
    const topic = run.topic(name);
    await run.create([topic], { partitions: PARTITIONS });
    await body(bus, watch, topic);
  } finally {
    await bus.close();
  }
}

function expectOnceEach(records: Awaited<ReturnType<typeof readAll>>, sent: BusMessage[]) {
  const view = records.map((r) => ({ key: r.key, value: r.value.toString(), headers: r.headers }));
  const want = sent.map((m) => ({ key: m.key, value: m.value, headers: m.headers }));
  const byValue = (a: { value: unknown }, b: { value: unknown }) => String(a.value).localeCompare(String(b.value));
  expect(view.sort(byValue)).toEqual(want.sort(byValue));
}

describe('kafka bus produce thread that dies', () => {
  it('fails the call in hand with a retriable BACKEND_ERROR; the next call starts a new thread and writes its records once', async () => {
    await withWatchedBus('killed', async (bus, watch, topic) => {
      const before = batch('before', 50);
      await bus.produce(topic, before);
      expect(watch.started).toHaveLength(1);

      // The call is posted to the thread before produce returns; the thread is ended before it can answer.
      const inHand = bus.produce(topic, batch('lost', 2_000));
      const exitCode = await watch.kill();
      const err = await inHand.then(
        () => new Error('the call in hand resolved although its thread was ended'),
        (e: unknown) => e,
      );
      expect(exitCode).toBe(1);
      expect(err).toMatchObject({ code: 'BACKEND_ERROR', retriable: true });
      expect((err as Error).message).toContain('produce thread exited');

      const after = batch('after', 50);
      await bus.produce(topic, after);
      expect(watch.started).toHaveLength(2);
      expect(watch.started[1]).not.toBe(watch.started[0]);

      const records = await readAll(bus, topic, 'killed');
      expectOnceEach(records.filter((r) => r.headers.call === 'before'), before);
      expectOnceEach(records.filter((r) => r.headers.call === 'after'), after);
      // The call that failed may have reached the broker in part before its thread ended (it is
      // sent again with its batch, at least once), but never twice from this one call.
      const lost = records.filter((r) => r.headers.call === 'lost').map((r) => r.value.toString());
      expect(new Set(lost).size).toBe(lost.length);
    });
  }, 120_000);

  it('replaces a thread that exited while idle on the next call, failing nothing', async () => {
    await withWatchedBus('idle', async (bus, watch, topic) => {
      const first = batch('first', 30);
      await bus.produce(topic, first);
      await watch.kill();

      const second = batch('second', 30);
      await bus.produce(topic, second);
      expect(watch.started).toHaveLength(2);

      const records = await readAll(bus, topic, 'idle');
      expect(records).toHaveLength(60);
      expectOnceEach(records.filter((r) => r.headers.call === 'first'), first);
      expectOnceEach(records.filter((r) => r.headers.call === 'second'), second);
    });
  }, 120_000);
});
