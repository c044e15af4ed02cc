// A metric task on a Kafka broker of its own, with its results in the real MariaDB: the broker is
// stopped mid-window (a controlled shutdown of its process) and started again on the same data.
// The task keeps running through it; the rows it leaves equal a clean run's, with no duplicates,
// no gaps and nothing counted late. (compute-broker-restart.test.ts cuts the shared broker away
// through a proxy instead; this one stops a real broker, so the coordinator reloads its groups and
// every connection and fetch session starts over.)

import type { Pool } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/compute/bus/testing.js';
import { dropPrefixedTables, migrate } from '../../src/store/migrate.js';
import { cleanRun, FIRST, hasMinute, HELD, minute, minutesWritten, parseRules, REST, rowsOf, startReplayTask, topicsOf } from '../helpers/compute-replay.js';
import { kafkaTestRun } from '../helpers/kafka.js';
import { connectTestMysql, newTablePrefix } from '../helpers/mysql.js';
import { startOwnBroker, type OwnBroker } from '../helpers/own-broker.js';

const run = kafkaTestRun('broker-stop-start');
const [restarted, clean] = [newTablePrefix(), newTablePrefix()] as const;
let pool: Pool;
let own: OwnBroker;

beforeAll(async () => {
  pool = await connectTestMysql(4);
  for (const tablePrefix of [restarted, clean]) await migrate(pool, { tablePrefix });
  own = await startOwnBroker('stop-start');
}, 180_000);
afterAll(async () => {
  await run.cleanup();
  await own?.close();
  for (const p of [restarted, clean]) await dropPrefixedTables(pool, p);
  await pool?.end();
}, 120_000);

const rules = [...parseRules, { id: 'r.count', kind: 'metric', version: 1, online: true, period: '1m', groupBy: ['level'], aggregations: [{ as: 'n', fn: 'count' }] }];

describe('metric task whose broker is stopped mid-window and started again', () => {
  it('writes the same rows as a run without the restart', async () => {
    const cleanRows = await cleanRun(run, { pool, tablePrefix: clean, rules }, [...FIRST, ...REST], (rows) => hasMinute(rows, 3));

    // Only this test's buses know the broker: run.cleanup closes them, own.close removes its data.
    const producer = run.bus('own-producer', { brokers: own.brokers });
    const consumer = run.bus('own-task', { brokers: own.brokers, connectionTimeoutMs: 1_000 });
    const topics = topicsOf(run, 'own');
    await producer.ensureTopics([{ topic: topics.topic, partitions: 2 }]);
    await producer.produce(topics.topic, FIRST);
    const task = await startReplayTask({ bus: consumer, topics, group: run.group('own'), pool, tablePrefix: restarted, rules });
    await waitFor(async () => (await task.health()).totalLag === HELD, `the group's lag to come down to minute 2's ${HELD} open events`, 60_000);
    expect(await minutesWritten(pool, restarted)).toEqual(new Set([0, 1]));

    await own.stop();
    // The task notices: its lag can no longer be read.
    await waitFor(async () => (await task.health()).lagError !== undefined, 'the task to report that it cannot read its lag', 60_000);
    await own.start();
    await producer.produce(topics.topic, REST);
    await waitFor(async () => (await minutesWritten(pool, restarted)).has(3), 'the task writing minute 3 after the broker came back', 180_000);
    await waitFor(async () => (await task.health()).totalLag === minute(4, 0, 9).length, 'the group committing up to the open minute 4', 120_000);
    expect(task.state).toBe('RUNNING');
    await task.stop();

    expect(task.lateEvents).toBe(0);
    expect(cleanRows.find((r) => r.minute === 2 && r.key.level === 'ERROR')!.values).toEqual({ n: 20 });
    expect(await rowsOf(pool, restarted)).toEqual(cleanRows);
  }, 420_000);
});
