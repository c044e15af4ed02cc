import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryBus } from '../bus/memory.js';
import { waitFor } from '../bus/testing.js';
import type { Bus } from '../bus/types.js';
import { createMemoryResultStore, createResults, type Results } from '../results/index.js';
import { validateRule } from '../rules/index.js';
import type { TaskRunner } from './runner.js';
import { APPS, SCALE_OUT_RULES, spreadRecords, startScaleOutTask } from './scale-out-testing.js';

// A scale-out task's alerts survive its instances coming and going: the alert state of each
// repartition partition is saved with the results and restored by the partition's next owner.
const T0 = Date.parse('2026-11-21T05:00:00Z');
const REPARTITION = 'logfed-task-spread-repartition';
/** Fires once an app served 8 or more a minute for two minutes; 9 a minute at step 5, 2 or 3 at step 20. */
const HELD = validateRule({ id: 's.held', kind: 'alert', version: 1, online: true, metric: 's.stats', for: '2m', when: [{ field: 'values.n', op: '>=', value: 8 }], message: '{{key.app}} busy' });
const RULES = [...SCALE_OUT_RULES, HELD];
const running: TaskRunner[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.close();
});

async function produce(bus: Bus, from: number, to: number, step: number) {
  for (const { message } of spreadRecords(T0, 3, from, to, step)) await bus.produce('in', [message]);
}
async function start(bus: Bus, results: Results, scaled: boolean): Promise<TaskRunner> {
  const r = await startScaleOutTask(bus, results, { topics: ['in'], groupId: scaled ? 'pair' : 'single', ...(scaled ? { scaleOut: { partitions: 2 } } : {}) }, RULES);
  running.push(r);
  return r;
}
/** The alert history: one line per (alert, episode, state), episodes by the minute after T0 their first row ends. */
const history = async (results: Results) =>
  (await results.store.alerts({ ruleId: 's.held', first: 1000 })).map((a) => `${a.fingerprint} since ${(a.activeSince - T0) / 60_000} ${a.state}`).sort();
const owned = async (r: TaskRunner, topic: string) => (await r.health()).assignment.filter((tp) => tp.topic === topic).length;

describe('alert state of a scale-out task', () => {
  it('moves with its repartition partitions: an instance that leaves and one that joins change nothing in the alert history', async () => {
    const bus = createMemoryBus();
    await bus.ensureTopics([{ topic: 'in', partitions: 3 }]);
    const single = createResults(createMemoryResultStore());
    const shared = createResults(createMemoryResultStore());
    await start(bus, single, false);
    const a = await start(bus, shared, true);
    const b = await start(bus, shared, true);
    await waitFor(async () => (await owned(a, REPARTITION)) === 1 && (await owned(b, REPARTITION)) === 1, 'both instances to own a repartition partition', 10_000);

    // Minutes 0-3 busy: minutes 0-2 close, every app pending twice, then firing.
    await produce(bus, 0, 4, 5);
    const firing = async (r: Results) => (await history(r)).filter((h) => h.endsWith('firing')).length === APPS.length;
    await waitFor(() => firing(single), 'the single instance to fire for every app', 10_000);
    await waitFor(() => firing(shared), 'the pair to fire for every app', 10_000);

    // One instance leaves and another joins: the repartition partitions move twice.
    const rest = running.indexOf(b);
    running.splice(rest, 1);
    await b.close();
    await waitFor(async () => (await owned(a, REPARTITION)) === 2, 'the remaining instance to own both repartition partitions', 10_000);
    const c = await start(bus, shared, true);
    await waitFor(async () => (await owned(c, REPARTITION)) === 1 && (await owned(a, REPARTITION)) === 1, 'the new instance to own a repartition partition', 10_000);

    // Minute 3 (busy) keeps firing, minute 4 (quiet) resolves: no second episode.
    await produce(bus, 4, 6, 20);
    const resolved = async (r: Results) => (await history(r)).filter((h) => h.endsWith('resolved')).length === APPS.length;
    await waitFor(() => resolved(single), 'the single instance to resolve every app', 10_000);
    const expected = await history(single);
    expect(expected).toEqual(APPS.flatMap((app) => ['firing', 'pending', 'resolved'].map((s) => `s.held{app="${app}"} since 1 ${s}`)).sort());
    await waitFor(async () => JSON.stringify(await history(shared)) === JSON.stringify(expected), 'the pair to write the same alert history', 10_000).catch(async (err) => {
      expect(await history(shared)).toEqual(expected);
      throw err;
    });
    expect(await history(shared)).toEqual(expected);
    // Saved per repartition partition, never as one state of the task.
    const saved = await shared.store.partStates('spread', [0, 1]);
    expect(saved.filter((s) => s.ruleId === 's.held').map((s) => s.part).sort()).toEqual([0, 1]);
    expect((await shared.store.ruleStates('spread')).has('s.held')).toBe(false);
  });
});
