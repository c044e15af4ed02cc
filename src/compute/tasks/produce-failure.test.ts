// A task whose write to its output topic fails mid-batch, as a Kafka bus's produce call does when
// its produce thread dies: the batch is not committed, and when it comes again its output is
// written again without processing it again, so its events are neither counted twice in open
// metric windows nor joined twice by the multi-line stage.

import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryBus, type Bus, type OffsetCommit } from '../bus/index.js';
import { collector, waitFor } from '../bus/testing.js';
import { LogfedError } from '../../errors/index.js';
import { createMemoryResultStore, createResults } from '../results/index.js';
import { errorRules, logbackLine, ruleFolder, testCompute, testRules } from './testing.js';

const T0 = Date.parse('2026-11-21T02:15:00Z');

let cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

/** The memory bus, but the first produce to `topic` fails as a dead produce thread fails it; deliveries and commits are noted. */
function failingOnce(bus: Bus, topic: string) {
  const seen = { failures: 0, log: [] as string[] };
  const wrapped: Bus = {
    ...bus,
    async produce(t, messages) {
      if (t === topic && seen.failures === 0) {
        seen.failures++;
        seen.log.push(`produce to ${t} failed`);
        throw new LogfedError('BACKEND_ERROR', 'the Kafka produce thread exited (code 1); the records in hand were not acknowledged and are sent again with their batch', { retriable: true });
      }
      return bus.produce(t, messages);
    },
    subscribe: (opts) =>
      bus.subscribe({
        ...opts,
        eachBatch: (records, ctx) => {
          seen.log.push(`delivered ${records.map((r) => r.offset).join(',')}`);
          const commit = (offsets: OffsetCommit[]) => (seen.log.push(`committed ${offsets.map((o) => `${o.topic}:${o.partition}@${o.offset}`).join(',')}`), ctx.commit(offsets));
          return opts.eachBatch(records, { ...ctx, commit });
        },
      }),
  };
  return { bus: wrapped, seen };
}

describe('compute task whose output produce fails mid-batch', () => {
  it('does not commit the batch, and writes every event of it once when it comes again', async () => {
    const memory = createMemoryBus();
    await memory.ensureTopics([{ topic: 'in', partitions: 1 }, { topic: 'out', partitions: 1 }]);
    const { bus, seen } = failingOnce(memory, 'out');
    const dir = ruleFolder(testRules('t'));
    const { manager } = testCompute(bus, dir, [{ id: 't1', topics: ['in'], rules: ['t.*'], outputTopic: 'out', startFrom: 'earliest', advanceMs: 20 }]);
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }), () => memory.close(), () => manager.close());
    const out = collector();
    await memory.subscribe({ groupId: 'reader', topics: ['out'], fromBeginning: true, eachBatch: out.eachBatch });

    const lines = ['one', 'two', 'three', 'four'].map((m, i) => ({ key: 'k', value: logbackLine(T0 + i, m) }));
    await memory.produce('in', lines);
    await manager.start();
    // The last line waits for a next one (multi-line) and is released by the timer, after the batch.
    await waitFor(() => out.records.length >= 4, 'the four events on the output topic');
    await waitFor(async () => (await manager.get('t1')!.health()).totalLag === 0, 'the task to commit everything');

    expect(seen.failures).toBe(1);
    // Nothing was committed until the batch came again from its first record and its writes succeeded.
    expect(seen.log.slice(0, 3)).toEqual(['delivered 0,1,2,3', 'produce to out failed', 'delivered 0,1,2,3']);
    expect(seen.log.findIndex((l) => l.startsWith('committed'))).toBeGreaterThan(2);
    // The batch is not processed again, only written again: every event once, in order, the held
    // multi-line one included.
    expect(out.values().map((v) => JSON.parse(v).message as string)).toEqual(['one', 'two', 'three', 'four']);
  });

  it('counts the events of a batch whose writes failed once in the metric rules', async () => {
    const memory = createMemoryBus();
    await memory.ensureTopics([{ topic: 'in', partitions: 1 }, { topic: 'out', partitions: 1 }]);
    const { bus, seen } = failingOnce(memory, 'out');
    const dir = ruleFolder(testRules('t', { extra: errorRules('t', 100) }));
    const results = createResults(createMemoryResultStore());
    const { manager } = testCompute(bus, dir, [{ id: 't1', topics: ['in'], rules: ['t.*'], outputTopic: 'out', startFrom: 'earliest', advanceMs: 20, allowedLatenessMs: 0, idleTimeoutMs: 60_000 }], { results });
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }), () => memory.close(), () => manager.close());

    await memory.produce('in', ['a', 'b', 'c'].map((m, i) => ({ key: 'k', value: logbackLine(T0 + i * 1000, m, 'ERROR') })));
    await manager.start();
    await waitFor(() => seen.failures === 1 && seen.log.filter((l) => l.startsWith('delivered')).length >= 2, 'the failed batch to come again');
    // Minute 2 closes minute 0.
    await memory.produce('in', [1, 2].map((i) => ({ key: 'k', value: logbackLine(T0 + 120_000 + i, 'later') })));
    await waitFor(async () => (await results.store.latestRows('t.errors', {}, 10)).length >= 1, 'minute 0 closed');
    expect((await results.store.latestRows('t.errors', {}, 10)).map((r) => r.values.errors)).toEqual([3]);
    expect(manager.get('t1')!.lateEvents).toBe(0);
  });
});
