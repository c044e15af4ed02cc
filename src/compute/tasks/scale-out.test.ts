import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryBus } from '../bus/memory.js';
import { waitFor } from '../bus/testing.js';
import type { Bus } from '../bus/types.js';
import { createMemoryResultStore, createResults, type Results } from '../results/index.js';
import { validateRule } from '../rules/index.js';
import { taskConfigSchema } from './config.js';
import { TaskRunner } from './runner.js';
import { APPS, comparable, SCALE_OUT_RULES, spreadRecords, startScaleOutTask } from './scale-out-testing.js';
import { TEST_MASK_SECRET } from './testing.js';

const T0 = Date.parse('2026-11-21T05:00:00Z');
const running: TaskRunner[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.close();
});

const rowsOf = async (results: Results) => comparable([...(await results.store.latestRows('s.stats', {}, 200)), ...(await results.store.latestRows('s.top', {}, 200))], T0);

async function produce(bus: Bus, topic: string, from: number, to: number) {
  for (const { message } of spreadRecords(T0, 3, from, to)) await bus.produce(topic, [message]);
}

describe('a scale-out task on the in-process bus', () => {
  it('is what advice asks for when two members share a metric task without it', async () => {
    const bus = createMemoryBus();
    await bus.ensureTopics([{ topic: 'in', partitions: 3 }]);
    const results = createResults(createMemoryResultStore());
    const advised: Record<string, string> = {};
    for (const [group, extra] of [['plain', {}], ['scaled', { scaleOut: { partitions: 2 } }]] as const) {
      const config = { topics: ['in'], groupId: group, ...extra };
      const [a, b] = [await startScaleOutTask(bus, results, config), await startScaleOutTask(bus, results, config)];
      running.push(a, b);
      const owns = async (r: TaskRunner) => (await r.health()).assignment.some((tp) => tp.topic === 'in');
      await waitFor(async () => (await owns(a)) && (await owns(b)), `both members of ${group} to own input partitions`, 10_000);
      advised[group] = (await a.advice()).reasons.join('\n');
    }
    expect(advised.plain).toMatch(/group plain shares the input with other members \(this one owns [12] of 3 partitions\).*set scaleOut/);
    expect(advised.scaled).not.toMatch(/scaleOut/);
  });

  it('writes the rows one instance writes when two instances share the input partitions', async () => {
    const bus = createMemoryBus();
    await bus.ensureTopics([{ topic: 'in', partitions: 3 }]);
    const single = createResults(createMemoryResultStore());
    const shared = createResults(createMemoryResultStore());
    running.push(await startScaleOutTask(bus, single, { topics: ['in'], groupId: 'single' }));
    const pair = { topics: ['in'], groupId: 'pair', scaleOut: { partitions: 2 } };
    const [a, b] = [await startScaleOutTask(bus, shared, pair), await startScaleOutTask(bus, shared, pair)];
    running.push(a, b);
    await waitFor(async () => (await a.health()).assignment.some((tp) => tp.topic === 'in') && (await b.health()).assignment.some((tp) => tp.topic === 'in'), 'both instances to own input partitions', 10_000);

    await produce(bus, 'in', 0, 3);
    // Minute 5 on every partition closes minutes 0 to 2 everywhere.
    await produce(bus, 'in', 5, 5.1);
    const expected = APPS.length * 3;
    await waitFor(async () => (await single.store.latestRows('s.stats', {}, 200)).length === expected, 'the single instance writing 3 minutes', 10_000);
    await waitFor(async () => (await shared.store.latestRows('s.stats', {}, 200)).length === expected, 'the pair writing 3 minutes', 10_000);
    await waitFor(async () => JSON.stringify(await rowsOf(shared)) === JSON.stringify(await rowsOf(single)), 'the TopN rows of both', 10_000);
    expect(await rowsOf(shared)).toEqual(await rowsOf(single));
    const [statsA, statsB] = [a.metricStage!.stats()['s.stats']!, b.metricStage!.stats()['s.stats']!];
    expect(statsA.received).toBeGreaterThan(0);
    expect(statsB.received).toBeGreaterThan(0);
    // Each instance merged and wrote some keys: the rows of one instance alone are not all of them.
    expect(statsA.rowsEmitted + statsB.rowsEmitted).toBeGreaterThanOrEqual(expected);
    expect((await a.health()).lag.some((l) => l.topic === 'logfed-task-spread-repartition')).toBe(true);
    const alerts = await single.store.alerts({ ruleId: 's.busy' });
    expect(alerts.length).toBeGreaterThan(0);
    expect((await shared.store.alerts({ ruleId: 's.busy' })).length).toBe(alerts.length);
  });

  it('refuses a composite rule in a scale-out task, naming it and why', async () => {
    const bus = createMemoryBus();
    await bus.ensureTopics([{ topic: 'in', partitions: 3 }]);
    const config = taskConfigSchema.parse({ id: 'c', topics: ['in'], rules: ['s.*'], scaleOut: {} });
    const runner = new TaskRunner(config, { bus, compile: { maskSecret: TEST_MASK_SECRET } });
    running.push(runner);
    const composite = validateRule({ id: 's.total', kind: 'composite', type: 'formula', version: 1, online: true, period: '1m', sources: [{ alias: 'A', metric: 's.stats', value: 'values.n', reduce: 'sum' }], formula: 'A' });
    const loaded = await runner.load({ rules: [...SCALE_OUT_RULES, composite], rejected: new Map(), missing: [], stored: new Map() });
    expect(loaded.applied).toBe(false);
    expect(loaded.issues).toEqual([expect.objectContaining({ path: 'rules[id=s.total]', message: expect.stringMatching(/composite rule cannot run in a task with scaleOut/) })]);
  });
});
