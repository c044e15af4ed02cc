// A metric task on real Kafka with its results in the real MariaDB, crashed after writing the first
// windows and restarted in the same group: the restarted member resumes from the offset the open
// window held (committed once the earlier windows closed and were written), replays that window in
// full, counts nothing as late, and leaves exactly the rows a run without the crash leaves.

import type { Pool, RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bus, BusMessage } from '../../src/compute/bus/index.js';
import { partitionForKey } from '../../src/compute/bus/partitioner.js';
import { waitFor } from '../../src/compute/bus/testing.js';
import { createMysqlResultStore, createResults } from '../../src/compute/results/index.js';
import { validateRule } from '../../src/compute/rules/index.js';
import { taskConfigSchema } from '../../src/compute/tasks/config.js';
import { TaskRunner } from '../../src/compute/tasks/runner.js';
import { logbackLine, TEST_MASK_SECRET } from '../../src/compute/tasks/testing.js';
import { dropPrefixedTables, migrate } from '../../src/store/migrate.js';
import { kafkaTestRun } from '../helpers/kafka.js';
import { connectTestMysql, newTablePrefix } from '../helpers/mysql.js';

const T0 = Date.parse('2026-11-21T03:00:00Z');
const run = kafkaTestRun('metrics-replay');
const prefixes = [newTablePrefix(), newTablePrefix()] as const;
let pool: Pool;

beforeAll(async () => {
  pool = await connectTestMysql(4);
  for (const tablePrefix of prefixes) await migrate(pool, { tablePrefix });
});
afterAll(async () => {
  await run.cleanup();
  for (const p of prefixes) await dropPrefixedTables(pool, p);
  await pool?.end();
});

// No multi-line parsing: every record is one event, handled in the batch that brings it.
const rules = [
  { id: 'r.app', kind: 'dataType', version: 1, online: true, identify: { all: [' --- ['] } },
  { id: 'r.parse', kind: 'parse', version: 1, online: true, dataType: 'r.app', parser: { type: 'logback' }, defaults: { domain: 'shop', env: 'prod', app: 'order-service', file: 'app.log' } },
  { id: 'r.count', kind: 'metric', version: 1, online: true, period: '1m', groupBy: ['level'], aggregations: [{ as: 'n', fn: 'count' }] },
].map(validateRule);

// Message keys that land on partition 0 and on partition 1 of a 2-partition topic.
const keys = [0, 1].map((p) => Array.from({ length: 200 }, (_, i) => `k${i}`).find((k) => partitionForKey(k, 2) === p)!);

/** One event a second of minute `m`, seconds `from` to `to`, alternating partitions; every third an ERROR. */
function minute(m: number, from: number, to: number): BusMessage[] {
  const out: BusMessage[] = [];
  for (let s = from; s <= to; s++) {
    out.push({ key: keys[s % 2]!, value: logbackLine(T0 + m * 60_000 + s * 1000, `event ${m}:${s}`, s % 3 === 0 ? 'ERROR' : 'INFO') });
  }
  return out;
}

const topicsOf = (name: string) => ({ topic: run.topic(name), dead: run.topic(`${name}-dlq`), late: run.topic(`${name}-late`) });

async function startTask(bus: Bus, t: ReturnType<typeof topicsOf>, group: string, tablePrefix: string): Promise<TaskRunner> {
  // Windows close on event time only: no partition goes idle while the test runs.
  const config = taskConfigSchema.parse({
    id: 'replay',
    topics: [t.topic],
    groupId: group,
    rules: ['r.*'],
    startFrom: 'earliest',
    tail: false,
    advanceMs: 20,
    allowedLatenessMs: 0,
    idleTimeoutMs: 600_000,
    deadLetterTopic: t.dead,
    lateTopic: t.late,
  });
  const results = createResults(createMysqlResultStore(pool, { tablePrefix }));
  const task = new TaskRunner(config, { bus, compile: { maskSecret: TEST_MASK_SECRET }, results, lagIntervalMs: 100 });
  const loaded = await task.load({ rules, rejected: new Map(), missing: [], stored: new Map() });
  expect(loaded.issues).toEqual([]);
  await task.start();
  return task;
}

const rowsOf = async (tablePrefix: string) =>
  (await pool.query<RowDataPacket[]>(`SELECT rule_id, window_start, key_json, values_json FROM \`${tablePrefix}metric_rows\` ORDER BY window_start, key_json`))[0].map((r) => ({
    rule: r.rule_id as string,
    minute: (Number(r.window_start) - T0) / 60_000,
    key: JSON.parse(r.key_json) as Record<string, string>,
    values: JSON.parse(r.values_json) as Record<string, number>,
  }));
const minutesWritten = async (tablePrefix: string) => new Set((await rowsOf(tablePrefix)).map((r) => r.minute));

describe('metric task crashed and restarted on Kafka with results in MariaDB', () => {
  it('resumes from the offset the open window held and writes the same rows as a run without the crash', async () => {
    const [crashed, cleanRun] = [topicsOf('in'), topicsOf('clean')];
    await run.create([crashed.topic, cleanRun.topic], { partitions: 2 });
    const first = [...minute(0, 0, 59), ...minute(1, 0, 59), ...minute(2, 0, 29)];
    const rest = [...minute(2, 30, 59), ...minute(3, 0, 59), ...minute(4, 0, 9)];
    const held = minute(2, 0, 29).length;

    // The clean run: one member sees everything.
    const cleanBus = run.bus('clean');
    await cleanBus.produce(cleanRun.topic, [...first, ...rest]);
    const clean = await startTask(cleanBus, cleanRun, run.group('clean'), prefixes[1]);
    await waitFor(async () => (await minutesWritten(prefixes[1])).has(3), 'the clean run writing minute 3', 60_000);
    await clean.stop();

    // The first member writes minutes 0 and 1, commits up to the open minute 2, and crashes.
    const group = run.group('crash');
    const bus1 = run.bus('one');
    // Partition 1's records come only after partition 0's batch was handled: that batch's commit is
    // held at its first record (partition 1 still holds the watermark back), and must be released
    // when partition 1's batch closes minutes 0 and 1.
    const onPartition = (p: number) => first.filter((m) => m.key === keys[p]);
    await bus1.produce(crashed.topic, onPartition(0));
    const one = await startTask(bus1, crashed, group, prefixes[0]);
    await waitFor(() => one.counts().records === onPartition(0).length, "partition 0's records handled", 60_000);
    expect(await minutesWritten(prefixes[0])).toEqual(new Set());
    await bus1.produce(crashed.topic, onPartition(1));
    await waitFor(async () => {
      const m = await minutesWritten(prefixes[0]);
      return m.has(0) && m.has(1);
    }, 'minutes 0 and 1 written', 60_000);
    // What stays uncommitted is exactly minute 2, the window still open.
    await waitFor(async () => (await one.health()).totalLag === held, `the group's lag to come down to minute 2's ${held} events`, 60_000);
    expect(await minutesWritten(prefixes[0])).toEqual(new Set([0, 1]));
    expect(one.lateEvents).toBe(0);
    // A crash: the member's connections go without it writing what its open window holds.
    await bus1.close();

    const bus2 = run.bus('two');
    const two = await startTask(bus2, crashed, group, prefixes[0]);
    await bus2.produce(crashed.topic, rest);
    await waitFor(async () => (await minutesWritten(prefixes[0])).has(3), 'the restarted member writing minute 3', 60_000);
    await two.stop();

    expect(two.lateEvents).toBe(0);
    const cleanRows = await rowsOf(prefixes[1]);
    expect(cleanRows.map((r) => r.minute)).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    expect(cleanRows.find((r) => r.minute === 2 && r.key.level === 'ERROR')!.values).toEqual({ n: 20 });
    expect(await rowsOf(prefixes[0])).toEqual(cleanRows);
  }, 180_000);
});
