// A metric task on real Kafka with its results in the real MariaDB, crashed after writing the first
// windows and restarted in the same group: the restarted member resumes from the offset the open
// window held (committed once the earlier windows closed and were written), replays that window in
// full, counts nothing as late, and leaves exactly the rows a run without the crash leaves.

import type { Pool } from 'mysql2/promise';
import type { Bus } from '../../src/compute/bus/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/compute/bus/testing.js';
import { dropPrefixedTables, migrate } from '../../src/store/migrate.js';
import { cleanRun, FIRST, hasMinute, HELD, keys, minutesWritten as written, parseRules, REST, rowsOf as rowsIn, startReplayTask, topicsOf, type ReplayTopics } from '../helpers/compute-replay.js';
import { kafkaTestRun } from '../helpers/kafka.js';
import { connectTestMysql, newTablePrefix } from '../helpers/mysql.js';

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

const rules = [...parseRules, { id: 'r.count', kind: 'metric', version: 1, online: true, period: '1m', groupBy: ['level'], aggregations: [{ as: 'n', fn: 'count' }] }];
const startTask = (bus: Bus, topics: ReplayTopics, group: string, tablePrefix: string) => startReplayTask({ bus, topics, group, pool, tablePrefix, rules });
const rowsOf = (tablePrefix: string) => rowsIn(pool, tablePrefix);
const minutesWritten = (tablePrefix: string) => written(pool, tablePrefix);

describe('metric task crashed and restarted on Kafka with results in MariaDB', () => {
  it('resumes from the offset the open window held and writes the same rows as a run without the crash', async () => {
    const crashed = topicsOf(run, 'in');
    await run.create([crashed.topic], { partitions: 2 });
    const [first, rest, held] = [FIRST, REST, HELD];
    const cleanRows = await cleanRun(run, { pool, tablePrefix: prefixes[1], rules }, [...FIRST, ...REST], (rows) => hasMinute(rows, 3));

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
    expect(cleanRows.map((r) => r.minute)).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    expect(cleanRows.find((r) => r.minute === 2 && r.key.level === 'ERROR')!.values).toEqual({ n: 20 });
    expect(await rowsOf(prefixes[0])).toEqual(cleanRows);
  }, 180_000);
});
