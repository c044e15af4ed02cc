// What a task holds between batches — multi-line events waiting for their next line, and events in
// open metric windows — is neither lost nor counted twice: events the age timer releases reach the
// metric rules, a pending event keeps its partition's commit at its first record, and a restart
// rebuilds open windows from the committed offsets instead of adding the replay to them.

import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryBus, keyOnPartition, type Bus } from '../bus/index.js';
import { waitFor } from '../bus/testing.js';
import { createMemoryResultStore, createResults } from '../results/index.js';
import { errorRules, logbackLine, ruleFolder, testCompute, testRules } from './testing.js';

const T0 = Date.parse('2026-11-21T02:15:00Z');

let cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function setup(partitions = 1) {
  const bus: Bus = createMemoryBus();
  await bus.ensureTopics([{ topic: 'in', partitions }]);
  const dir = ruleFolder(testRules('t', { extra: errorRules('t', 100) }));
  const results = createResults(createMemoryResultStore());
  const c = testCompute(bus, dir, [{ id: 'h1', topics: ['in'], rules: ['t.*'], startFrom: 'earliest', advanceMs: 20, allowedLatenessMs: 0, idleTimeoutMs: 60_000 }], { results });
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }), () => bus.close(), () => c.manager.close());
  return { ...c, bus, results };
}

const line = (s: number, level: string, msg = 'x', key = 'k') => ({ key, value: logbackLine(T0 + s * 1000, msg, level) });
const trace = (text: string) => ({ key: 'k', value: text });

describe('events a task holds', () => {
  it('counts a multi-line event released by the age timer in the metric rules', async () => {
    const { bus, manager, tailed, results } = await setup();
    await manager.start();
    // Nothing follows the stack trace, so only the timer (maxAgeMs 200) releases the event.
    await bus.produce('in', [line(1, 'ERROR', 'payment failed'), trace('java.lang.IllegalStateException: boom'), trace('\tat c.e.Pay.run(Pay.java:1)')]);
    await waitFor(() => tailed.length === 1, 'the timer to release the joined event');
    expect(tailed[0]!.message).toContain('IllegalStateException');
    // Minute 2 moves the watermark past minute 0 and closes it.
    await bus.produce('in', [line(121, 'INFO')]);
    await waitFor(async () => (await results.store.latestRows('t.errors', {}, 10)).length >= 1, 'minute 0 closed');
    const rows = await results.store.latestRows('t.errors', {}, 10);
    expect(rows.map((r) => [new Date(r.windowStart).toISOString().slice(11, 16), r.values.errors])).toEqual([['02:15', 1]]);
  });

  it("keeps a partition's commit at the first record of a multi-line event still waiting for its next line", async () => {
    const { bus, manager } = await setup();
    await manager.start();
    await bus.produce('in', [line(1, 'INFO', 'first'), line(2, 'ERROR', 'second'), trace('java.lang.IllegalStateException: boom')]);
    const task = manager.get('h1')!;
    await waitFor(async () => (await task.health()).records === 3, 'the records to be read');
    // 'first' is complete; 'second' and its trace line wait for the next line, so offsets 1 and 2 stay uncommitted.
    // Lag goes from 3 to what the batch's commit leaves: 2 when it stops at the pending event.
    await waitFor(async () => (await task.health()).totalLag === 2, 'the commit to stop at the pending event');
  });

  it('counts each event once when a partition leaves for another member and comes back', async () => {
    const { bus, manager, results } = await setup(2);
    await manager.start();
    const task = manager.get('h1')!;
    const [k0, k1] = [keyOnPartition('k', 0, 2), keyOnPartition('k', 1, 2)];
    await bus.produce('in', [line(1, 'ERROR', 'a', k0), line(2, 'ERROR', 'b', k1), line(3, 'ERROR', 'c', k1), line(4, 'INFO', 'd', k0)]);
    await waitFor(async () => (await task.health()).records === 4, 'the records to be read');
    // A second member joins the group (a rolling deploy) and leaves again without committing: the
    // partition it held comes back, and is read again from its commit, held at the oldest event
    // the open window of minute 0 holds.
    const other = await bus.subscribe({ groupId: 'logfed-task-h1', topics: ['in'], autoCommit: false, eachBatch: async () => {} });
    await waitFor(async () => (await task.health()).assignment.length === 1, 'the task to give a partition away');
    await other.stop();
    await waitFor(async () => (await task.health()).assignment.length === 2, 'the partition to come back');
    await bus.produce('in', [line(121, 'INFO', 'e', k0), line(122, 'INFO', 'f', k1)]);
    await waitFor(async () => (await results.store.latestRows('t.errors', {}, 10)).length >= 1, 'minute 0 closed');
    const rows = await results.store.latestRows('t.errors', {}, 10);
    expect(rows.map((r) => r.values.errors)).toEqual([3]);
  });

  it('rebuilds open windows from the committed offsets after a restart, counting each event once', async () => {
    const { bus, manager, results } = await setup();
    await manager.start();
    await bus.produce('in', [line(1, 'ERROR'), line(2, 'ERROR'), line(3, 'ERROR'), line(4, 'INFO')]);
    const task = manager.get('h1')!;
    await waitFor(async () => (await task.health()).records === 4, 'the records to be read');
    await manager.stopTask('h1');
    await manager.startTask('h1');
    await bus.produce('in', [line(121, 'INFO'), line(122, 'INFO')]);
    await waitFor(async () => (await results.store.latestRows('t.errors', {}, 10)).length >= 1, 'minute 0 closed');
    const rows = await results.store.latestRows('t.errors', {}, 10);
    expect(rows.map((r) => r.values.errors)).toEqual([3]);
    expect(task.lateEvents).toBe(0);
  });
});
