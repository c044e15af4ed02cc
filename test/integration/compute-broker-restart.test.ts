// A metric task on real Kafka with its results in the real MariaDB loses the broker mid-window and
// gets it back: the rows it leaves equal a clean run's, with no duplicates, no gaps and nothing
// counted late.
//
// The one local broker is shared with every other test, so it is not stopped: the task reaches it
// only through a TCP proxy (test/faults/proxy.ts rewrites the advertised broker port, so every
// connection of the task's client runs through it). A proxy cannot make the client see what only a
// real restart shows (a coordinator loading its groups, fetch sessions lost on the broker side); the
// closest honest equivalent is used instead: every connection is cut and refused for longer than the
// session timeout, until the broker has dropped the member from the group, then restored. The
// member then has to rejoin and fetch again from the committed offsets, which is what a restarted
// broker makes it do, while the open window it holds in memory already counted part of what comes again.

import { Kafka, logLevel, type Admin } from 'kafkajs';
import type { Pool } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/compute/bus/testing.js';
import { dropPrefixedTables, migrate } from '../../src/store/migrate.js';
import { startTcpProxy, type TcpProxy } from '../faults/proxy.js';
import { cleanRun, FIRST, hasMinute, HELD, minute, minutesWritten, parseRules, REST, rowsOf, startReplayTask, topicsOf } from '../helpers/compute-replay.js';
import { KAFKA_BROKERS, kafkaTestRun } from '../helpers/kafka.js';
import { connectTestMysql, newTablePrefix } from '../helpers/mysql.js';

const run = kafkaTestRun('broker-restart');
const [cut, clean] = [newTablePrefix(), newTablePrefix()] as const;
let pool: Pool;
let proxy: TcpProxy;
let admin: Admin;

beforeAll(async () => {
  pool = await connectTestMysql(4);
  for (const tablePrefix of [cut, clean]) await migrate(pool, { tablePrefix });
  const [host, port] = KAFKA_BROKERS[0]!.split(':');
  proxy = await startTcpProxy({ host: host!, port: Number(port) }, { kafka: true });
  admin = new Kafka({ brokers: KAFKA_BROKERS, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
});
afterAll(async () => {
  await proxy?.close();
  await admin?.disconnect();
  await run.cleanup();
  for (const p of [cut, clean]) await dropPrefixedTables(pool, p);
  await pool?.end();
});

const rules = [...parseRules, { id: 'r.count', kind: 'metric', version: 1, online: true, period: '1m', groupBy: ['level'], aggregations: [{ as: 'n', fn: 'count' }] }];

const membersOf = async (group: string) => (await admin.describeGroups([group])).groups[0]?.members.length ?? 0;

describe('metric task on Kafka whose broker goes away mid-window and comes back', () => {
  it('writes the same rows as a run without the outage', async () => {
    const outage = topicsOf(run, 'in');
    await run.create([outage.topic], { partitions: 2 });
    const cleanRows = await cleanRun(run, { pool, tablePrefix: clean, rules }, [...FIRST, ...REST], (rows) => hasMinute(rows, 3));

    // The producer talks to the broker directly; only the task goes through the proxy.
    const producer = run.bus('producer');
    const group = run.group('outage');
    const proxied = run.bus('proxied', { brokers: [`127.0.0.1:${proxy.port}`], sessionTimeoutMs: 6_000, connectionTimeoutMs: 1_000 });
    await producer.produce(outage.topic, FIRST);
    const task = await startReplayTask({ bus: proxied, topics: outage, group, pool, tablePrefix: cut, rules });
    await waitFor(async () => (await task.health()).totalLag === HELD, `the group's lag to come down to minute 2's ${HELD} open events`, 60_000);
    expect(await minutesWritten(pool, cut)).toEqual(new Set([0, 1]));

    await proxy.cut();
    try {
      await producer.produce(outage.topic, REST);
      await waitFor(async () => (await membersOf(group)) === 0, 'the broker dropping the cut-off member from the group', 90_000);
    } finally {
      await proxy.restore();
    }
    await waitFor(async () => (await minutesWritten(pool, cut)).has(3), 'the task writing minute 3 after the broker came back', 120_000);
    await waitFor(async () => (await task.health()).totalLag === minute(4, 0, 9).length, 'the group committing up to the open minute 4', 60_000);
    await task.stop();

    expect(task.lateEvents).toBe(0);
    expect(cleanRows.map((r) => r.minute)).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    expect(cleanRows.find((r) => r.minute === 2 && r.key.level === 'ERROR')!.values).toEqual({ n: 20 });
    expect(await rowsOf(pool, cut)).toEqual(cleanRows);
  }, 300_000);
});
