// Two compute instances (each with its own Kafka client) run a scale-out metric task in one consumer
// group on the real broker, over an input topic whose keys are spread over every partition, with
// their rows in the real MariaDB; one instance runs the same task without scale-out into another
// table prefix. The two-phase rows must equal the single instance's, also when one of the two
// instances crashes mid-window and comes back; and an alert with `for` has the single instance's
// history across such a crash (its state moves with the repartition partitions).

import type { Pool, RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bus, TopicPartition } from '../../src/compute/bus/index.js';
import { waitFor } from '../../src/compute/bus/testing.js';
import { createMysqlResultStore, createResults, type Results } from '../../src/compute/results/index.js';
import { validateRule } from '../../src/compute/rules/index.js';
import type { TaskRunner } from '../../src/compute/tasks/runner.js';
import { APPS, SCALE_OUT_RULES, spreadRecords, startScaleOutTask } from '../../src/compute/tasks/scale-out-testing.js';
import { dropPrefixedTables, migrate } from '../../src/store/migrate.js';
import { kafkaTestRun, type KafkaTestRun } from '../helpers/kafka.js';
import { connectTestMysql, newTablePrefix } from '../helpers/mysql.js';

const T0 = Date.parse('2026-11-21T06:00:00Z');
const PARTITIONS = 3;
const run = kafkaTestRun('scale-out');
const prefixes: string[] = [];
let pool: Pool;

beforeAll(async () => {
  pool = await connectTestMysql(8);
});
afterAll(async () => {
  await run.cleanup();
  for (const p of prefixes) await dropPrefixedTables(pool, p);
  await pool?.end();
});

async function tablePrefix(): Promise<string> {
  const p = newTablePrefix();
  prefixes.push(p);
  await migrate(pool, { tablePrefix: p });
  return p;
}

const rowsOf = async (prefix: string) =>
  (await pool.query<RowDataPacket[]>(`SELECT rule_id, window_start, key_json, values_json FROM \`${prefix}metric_rows\` ORDER BY rule_id, window_start, key_json`))[0].map((r) => ({
    rule: r.rule_id as string,
    minute: (Number(r.window_start) - T0) / 60_000,
    key: JSON.parse(r.key_json) as Record<string, string>,
    values: JSON.parse(r.values_json) as Record<string, number>,
  }));
const statsMinutes = async (prefix: string) => (await rowsOf(prefix)).filter((r) => r.rule === 's.stats').map((r) => r.minute);

async function produce(bus: Bus, topic: string, from: number, to: number): Promise<void> {
  await bus.produce(topic, spreadRecords(T0, PARTITIONS, from, to).map((r) => r.message));
}

const newBus = (k: KafkaTestRun, name: string) => k.bus(name, { sessionTimeoutMs: 10_000 });
const inputOf = async (task: TaskRunner, topic: string) => (await task.health()).assignment.filter((tp) => tp.topic === topic);

/** The single-instance run over the same input, in a group and table prefix of its own. */
async function singleRun(input: string, minutes: number): Promise<Awaited<ReturnType<typeof rowsOf>>> {
  const prefix = await tablePrefix();
  const task = await startScaleOutTask(newBus(run, 'single'), createResults(createMysqlResultStore(pool, { tablePrefix: prefix })), { topics: [input], groupId: run.group('single') });
  try {
    await waitFor(async () => (await statsMinutes(prefix)).length === APPS.length * minutes, `the single instance writing ${minutes} minutes`, 90_000);
  } finally {
    await task.close();
  }
  return rowsOf(prefix);
}

/**
 * Every app has events on every partition, so with both instances owning input partitions, each
 * app's events come through partitions owned by different instances.
 */
function expectSplit(a: TopicPartition[], b: TopicPartition[]): void {
  expect(a.length).toBeGreaterThan(0);
  expect(b.length).toBeGreaterThan(0);
  expect([...a, ...b].map((tp) => tp.partition).sort()).toEqual([0, 1, 2]);
  const partitionsOf = (app: string) => new Set(spreadRecords(T0, PARTITIONS, 0, 1).filter((r) => JSON.parse(String(r.message.value)).app === app).map((r) => r.partition));
  const pay = partitionsOf('pay');
  expect(a.some((tp) => pay.has(tp.partition)) && b.some((tp) => pay.has(tp.partition))).toBe(true);
}

/** Two instances of a scale-out task in one group over a new input topic, each owning input partitions. */
async function startPair(name: string) {
  const input = run.topic(`${name}-in`);
  await run.create([input], { partitions: PARTITIONS });
  const prefix = await tablePrefix();
  const results = createResults(createMysqlResultStore(pool, { tablePrefix: prefix }));
  const task = { topics: [input], groupId: run.group(name), scaleOut: { repartitionTopic: run.topic(`${name}-repartition`), partitions: 2 } };
  const busB = newBus(run, `${name}-b`);
  const a = await startScaleOutTask(newBus(run, `${name}-a`), results, task);
  const b = await startScaleOutTask(busB, results, task);
  const owned = async () => [await inputOf(a, input), await inputOf(b, input)] as const;
  await waitFor(async () => (await owned()).every((tps) => tps.length > 0), 'both instances to own input partitions', 60_000);
  expectSplit(...(await owned()));
  return { input, prefix, results, task, a, b, busB };
}

describe('a scale-out metric task on two instances, on Kafka with results in MariaDB', () => {
  it('writes the same rows as one instance, for keys whose events came through both instances', async () => {
    const { input, prefix, task, a, b } = await startPair('pair');
    try {
      const bus = newBus(run, 'producer');
      await produce(bus, input, 0, 4);
      // Minute 6 on every partition closes minutes 0 to 3 everywhere.
      await produce(bus, input, 6, 6.1);
      await waitFor(async () => (await statsMinutes(prefix)).length === APPS.length * 4, 'the pair writing 4 minutes', 90_000);
      expectSplit(await inputOf(a, input), await inputOf(b, input));
      const single = await singleRun(input, 4);
      await waitFor(async () => JSON.stringify(await rowsOf(prefix)) === JSON.stringify(single), 'the TopN rows of the pair', 30_000);
      expect(await rowsOf(prefix)).toEqual(single);
      expect(single.filter((r) => r.rule === 's.stats' && r.minute === 0).map((r) => r.values.n)).toEqual([9, 9, 9, 9]);
      expect(a.lateEvents + b.lateEvents).toBe(0);
      // The repartition topic's lag is part of each instance's health.
      expect((await a.health()).lag.some((l) => l.topic === task.scaleOut.repartitionTopic)).toBe(true);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  }, 240_000);

  it('still writes the same rows, once each, when one instance crashes mid-window and restarts', async () => {
    const { input, prefix, results, task, a, b, busB } = await startPair('crash');
    let b2: TaskRunner | undefined;
    try {
      const bus = newBus(run, 'crash-producer');
      // Minutes 0 and 1, and the first half of minute 2: minute 2 is open when b crashes.
      await produce(bus, input, 0, 2.5);
      await waitFor(async () => (await statsMinutes(prefix)).length === APPS.length * 2, 'minutes 0 and 1 written', 90_000);
      expect(b.metricStage!.stats()['s.stats']!.series).toBeGreaterThan(0);
      // A crash: b's connections go without it sending or writing what its open windows hold.
      await busB.close();
      await b.close();
      b2 = await startScaleOutTask(newBus(run, 'crash-b2'), results, task);
      await produce(bus, input, 2.5, 4);
      await produce(bus, input, 6, 6.1);
      await waitFor(async () => (await statsMinutes(prefix)).length === APPS.length * 4, 'the pair writing 4 minutes after the crash', 120_000);
      const single = await singleRun(input, 4);
      await waitFor(async () => JSON.stringify(await rowsOf(prefix)) === JSON.stringify(single), 'the rows of the pair to equal the single run', 60_000);
      const rows = await rowsOf(prefix);
      expect(rows).toEqual(single);
      expect(new Set(rows.map((r) => `${r.rule}|${r.minute}|${JSON.stringify(r.key)}`)).size).toBe(rows.length);
    } finally {
      await Promise.all([a.close(), b2?.close()]);
    }
  }, 300_000);

  it('keeps the alert history of one instance when an instance crashes while an alert with `for` fires', async () => {
    const held = validateRule({ id: 's.held', kind: 'alert', version: 1, online: true, metric: 's.stats', for: '2m', when: [{ field: 'values.n', op: '>=', value: 8 }], message: '{{key.app}} busy' });
    const rules = [...SCALE_OUT_RULES, held];
    const input = run.topic('alerts-in');
    await run.create([input], { partitions: PARTITIONS });
    const resultsIn = async () => createResults(createMysqlResultStore(pool, { tablePrefix: await tablePrefix() }));
    const history = async (r: Results) => (await r.store.alerts({ ruleId: 's.held', first: 1000 })).map((a) => `${a.fingerprint} since ${(a.activeSince - T0) / 60_000} ${a.state}`).sort();
    const count = async (r: Results, state: string) => (await history(r)).filter((h) => h.endsWith(` ${state}`)).length;
    // 9 events a minute for each app at step 5, 2 or 3 at step 20.
    const send = (bus: Bus, from: number, to: number, step: number) => bus.produce(input, spreadRecords(T0, PARTITIONS, from, to, step).map((r) => r.message));
    const shared = await resultsIn();
    const task = { topics: [input], groupId: run.group('alerts'), scaleOut: { repartitionTopic: run.topic('alerts-repartition'), partitions: 2 } };
    const busB = newBus(run, 'alerts-b');
    const a = await startScaleOutTask(newBus(run, 'alerts-a'), shared, task, rules);
    const b = await startScaleOutTask(busB, shared, task, rules);
    let b2: TaskRunner | undefined;
    let single: TaskRunner | undefined;
    try {
      const producer = newBus(run, 'alerts-producer');
      // Minutes 0-3 busy: minutes 0-2 close, every app pending twice, then firing.
      await send(producer, 0, 4, 5);
      await waitFor(async () => (await count(shared, 'firing')) === APPS.length, 'the pair firing for every app', 90_000);
      await busB.close();
      await b.close();
      b2 = await startScaleOutTask(newBus(run, 'alerts-b2'), shared, task, rules);
      // Minute 3 (busy) keeps firing, minute 4 (quiet) resolves: no second episode.
      await send(producer, 4, 6, 20);
      await waitFor(async () => (await count(shared, 'resolved')) === APPS.length, 'the pair resolving every app', 120_000);
      const alone = await resultsIn();
      single = await startScaleOutTask(newBus(run, 'alerts-single'), alone, { topics: [input], groupId: run.group('alerts-single') }, rules);
      await waitFor(async () => (await count(alone, 'resolved')) === APPS.length, 'the single instance resolving every app', 90_000);
      const expected = APPS.flatMap((app) => ['firing', 'pending', 'resolved'].map((s) => `s.held{app="${app}"} since 1 ${s}`)).sort();
      expect(await history(alone)).toEqual(expected);
      expect(await history(shared)).toEqual(expected);
    } finally {
      await Promise.all([a.close(), b2?.close(), single?.close()]);
    }
  }, 300_000);
});
