import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryBus, type Bus } from '../bus/index.js';
import { collector, waitFor } from '../bus/testing.js';
import { createMemoryResultStore, createResults } from '../results/index.js';
import { commitAfter } from './commit.js';
import { STORM_RULE_ID } from './metric-stage.js';
import { errorRules, logbackLine, ruleFolder, testCompute, testRules, writeRules } from './testing.js';

const T0 = Date.parse('2026-11-21T02:15:00Z');

let cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function setup(rules: unknown[]) {
  const bus: Bus = createMemoryBus();
  await bus.ensureTopics([{ topic: 'in', partitions: 1 }]);
  const dir = ruleFolder(rules);
  const results = createResults(createMemoryResultStore());
  const c = testCompute(bus, dir, [{ id: 'm1', topics: ['in'], rules: ['t.*'], startFrom: 'earliest', advanceMs: 20, allowedLatenessMs: 0, idleTimeoutMs: 60_000, metricsTopic: 'metrics-out', alertsTopic: 'alerts-out' }], { results });
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }), () => bus.close(), () => c.manager.close());
  return { ...c, bus, dir, results };
}

const line = (s: number, level: string, msg = 'x') => ({ key: 'k', value: logbackLine(T0 + s * 1000, msg, level) });

describe('the metric stage of a running task', () => {
  it('counts errors per minute window, raises the alert through pending and firing, and writes rows to the store and topics', async () => {
    const { bus, manager, results } = await setup(testRules('t', { extra: errorRules('t', 2) }));
    await manager.start();
    const metricsOut = collector();
    await bus.subscribe({ groupId: 'mr', topics: ['metrics-out'], fromBeginning: true, eachBatch: metricsOut.eachBatch });
    // minute 0: 3 errors, minute 1: 1 error and an INFO, minute 2: 2 errors, minute 3 opens and closes minute 2
    await bus.produce('in', [line(1, 'ERROR'), line(2, 'ERROR'), line(3, 'INFO'), line(4, 'ERROR'), line(61, 'ERROR'), line(62, 'INFO'), line(121, 'ERROR'), line(122, 'ERROR'), line(181, 'INFO'), line(182, 'INFO')]);
    await waitFor(async () => (await results.store.latestRows('t.errors', {}, 10)).length >= 3, 'three closed windows');
    const rows = await results.store.latestRows('t.errors', { app: 'order-service' }, 10);
    expect(rows.map((r) => [new Date(r.windowStart).toISOString().slice(11, 16), r.values.errors])).toEqual([
      ['02:17', 2],
      ['02:16', 1],
      ['02:15', 3],
    ]);
    await waitFor(() => metricsOut.records.length >= 3, 'rows on the metrics topic');
    const alerts = await results.store.alerts({ ruleId: 't.errors-high' });
    // for: 0 fires at once; minute 1 is below the threshold and resolves it; minute 2 fires again.
    expect(alerts.map((a) => a.state).sort()).toEqual(['firing', 'firing', 'resolved']);
    expect(alerts.find((a) => a.state === 'resolved')!.message).toContain('order-service');
    const view = manager.get('m1')!.rules().find((r) => r.id === 't.errors')!;
    expect(view.lastEmittedAt).toBeGreaterThan(0);
    expect(view.emitted).toBe(3);
  });

  it('refuses an alert on a metric the task does not have, naming the field, and keeps the running version', async () => {
    const { manager, dir } = await setup(testRules('t', { extra: errorRules('t', 2) }));
    await manager.start();
    writeRules(dir, testRules('t', { extra: errorRules('t', 2, { alertVersion: 2, alertMetric: 'nope' }) }));
    const result = await manager.reloadRules('m1');
    expect(result.applied).toBe(false);
    expect(result.issues.map((i) => i.path)).toContain('rules[id=t.errors-high].metric');
    expect(manager.get('m1')!.runningRules().get('t.errors-high')!.version).toBe(1);
  });

  it('refuses a metric rule whose aggregation is unknown when it is stored, with the field', async () => {
    const bad = errorRules('t', 2);
    (bad[0] as { aggregations: unknown[] }).aggregations = [{ as: 'n', fn: 'median', field: 'x' }];
    const { manager } = await setup(testRules('t', { extra: bad }));
    await manager.start().catch(() => undefined);
    const view = manager.get('m1')!.rules().find((r) => r.id === 't.errors')!;
    expect(view.rejected?.issues[0]?.path).toMatch(/aggregations\[0\]\.fn/);
  });

  it('drops series past a rule\'s cap, counts them, and raises a metric-storm alert to the store and the alerts topic', async () => {
    const capped = { id: 't.levels', kind: 'metric', version: 1, online: true, period: '1m', groupBy: ['level'], maxSeries: 1, aggregations: [{ as: 'n', fn: 'count' }] };
    const { bus, manager, results } = await setup(testRules('t', { extra: [capped] }));
    await manager.start();
    const alertsOut = collector();
    await bus.subscribe({ groupId: 'ar', topics: ['alerts-out'], fromBeginning: true, eachBatch: alertsOut.eachBatch });
    // Minute 0 takes ERROR as its one series; INFO, WARN and INFO again are new series past the cap.
    // Minute 1's line closes minute 0 (and the multi-line parser releases the line before it).
    await bus.produce('in', [line(1, 'ERROR'), line(2, 'INFO'), line(3, 'WARN'), line(4, 'INFO'), line(5, 'ERROR'), line(61, 'INFO'), line(62, 'INFO')]);
    await waitFor(async () => (await results.store.latestRows('t.levels', {}, 10)).length >= 1, 'minute 0 closed');
    const rows = await results.store.latestRows('t.levels', {}, 10);
    expect(rows.map((r) => [r.key, r.values])).toEqual([[{ level: 'ERROR' }, { n: 2 }]]);

    const stats = manager.get('m1')!.metricStage!.stats()['t.levels']!;
    expect(stats).toMatchObject({ maxSeries: 1, dropped: 3, late: 0 });
    expect(manager.get('m1')!.rules().find((r) => r.id === 't.levels')!.dropped).toBe(3);

    const storms = await results.store.alerts({ ruleId: STORM_RULE_ID });
    expect(storms).toHaveLength(1);
    expect(storms[0]).toMatchObject({ state: 'firing', labels: { alertname: STORM_RULE_ID, rule: 't.levels' }, metric: { ruleId: 't.levels', windowStart: T0, values: { cap: 1 } } });
    expect(storms[0]!.metric!.values.dropped).toBeGreaterThanOrEqual(1);
    expect(storms[0]!.message).toContain('series cap of 1');
    const advice = await manager.get('m1')!.advice();
    expect(advice.verdict).toBe('FAIL');
    expect(advice.rules.find((r) => r.id === 't.levels')).toEqual({ id: 't.levels', verdict: 'FAIL', reasons: ['at its series cap of 1: 3 events of new series were dropped'] });
    await waitFor(() => alertsOut.records.length >= 1, 'the storm on the alerts topic');
    expect(JSON.parse(alertsOut.records[0]!.value.toString())).toMatchObject({ ruleId: STORM_RULE_ID, labels: { rule: 't.levels' } });
  });

  it('commits no further than the oldest event an open window holds', () => {
    const r = (offset: string) => ({ topic: 't', partition: 0, offset, key: null, value: Buffer.from(''), headers: {}, timestamp: 0 });
    expect(commitAfter([r('10'), r('11')], 4)).toEqual([{ topic: 't', partition: 0, offset: '4' }]);
    expect(commitAfter([r('10'), r('11')], 40)).toEqual([{ topic: 't', partition: 0, offset: '12' }]);
    expect(commitAfter([r('10'), r('11')])).toEqual([{ topic: 't', partition: 0, offset: '12' }]);
  });
});
