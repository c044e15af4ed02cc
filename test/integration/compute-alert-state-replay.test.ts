// A task with a metric, an alert that must hold for a minute before it fires, and a composite over
// both, on real Kafka with its results in the real MariaDB, crashed while the alert is firing and a
// composite window is open, then restarted in the same group. Replay rebuilds only the metric's open
// window; the alert's lifecycle and the composite's open window come back from the state written in
// the same transaction as the rows. The alert history and every row equal a run without the crash:
// the alert does not pend and fire again as a new episode, and its resolution arrives.

import type { Pool } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/compute/bus/testing.js';
import { dropPrefixedTables, migrate } from '../../src/store/migrate.js';
import { alertHistoryOf, cleanRun, hasMinute, minute, parseRules, rowsOf, startReplayTask, topicsOf, type StoredRow } from '../helpers/compute-replay.js';
import { errorScoreRule } from '../../src/compute/tasks/testing.js';
import { kafkaTestRun } from '../helpers/kafka.js';
import { connectTestMysql, newTablePrefix } from '../helpers/mysql.js';

const run = kafkaTestRun('alert-state');
const [crashed, clean] = [newTablePrefix(), newTablePrefix()] as const;
let pool: Pool;

beforeAll(async () => {
  pool = await connectTestMysql(4);
  for (const tablePrefix of [crashed, clean]) await migrate(pool, { tablePrefix });
});
afterAll(async () => {
  await run.cleanup();
  for (const p of [crashed, clean]) await dropPrefixedTables(pool, p);
  await pool?.end();
});

const rules = [
  ...parseRules,
  { id: 'r.errors', kind: 'metric', version: 1, online: true, period: '1m', groupBy: ['app'], where: [{ field: 'level', op: '=', value: 'ERROR' }], aggregations: [{ as: 'n', fn: 'count' }] },
  { id: 'r.errors-high', kind: 'alert', version: 1, online: true, metric: 'r.errors', for: '1m', when: [{ field: 'values.n', op: '>=', value: 10 }] },
  errorScoreRule('r.health', '2m', 'r.errors', 'r.errors-high'),
];

// 20 errors a minute in minutes 0-3 (pending at the end of 0, firing from the end of 1), 2 in
// minute 4 (resolved); minute 5 closes minute 4 and the composite window of minutes 2-3.
const few = (s: number) => (s < 2 ? 'ERROR' : 'INFO');
const FIRST = [...minute(0, 0, 59), ...minute(1, 0, 59), ...minute(2, 0, 59), ...minute(3, 0, 29)];
const REST = [...minute(3, 30, 59), ...minute(4, 0, 59, few), ...minute(5, 0, 9, () => 'INFO')];
const finished = (rows: StoredRow[]) => hasMinute(rows, 4, 'r.errors') && hasMinute(rows, 2, 'r.health');

describe('alert and composite state of a task crashed and restarted on Kafka with results in MariaDB', () => {
  it('resumes the firing alert and the open composite window, and leaves the alert history and rows of a run without the crash', async () => {
    const topics = topicsOf(run, 'in');
    await run.create([topics.topic], { partitions: 2 });
    const cleanRows = await cleanRun(run, { pool, tablePrefix: clean, rules }, [...FIRST, ...REST], finished);
    const cleanAlerts = await alertHistoryOf(pool, clean);
    const episode = { fingerprint: 'r.errors-high{app="order-service"}', activeSince: 1 };
    expect(cleanAlerts).toEqual([
      { ...episode, state: 'firing', at: 4, notify: true },
      { ...episode, state: 'pending', at: 1, notify: false },
      { ...episode, state: 'resolved', at: 5, notify: true },
    ]);
    expect(cleanRows.filter((r) => r.rule === 'r.health').map((r) => [r.minute, r.values])).toEqual([
      [0, { E: 40, A: 1, score: 1040 }],
      [2, { E: 40, A: 1, score: 1040 }],
    ]);

    const group = run.group('crash');
    const bus1 = run.bus('one');
    await bus1.produce(topics.topic, FIRST);
    const one = await startReplayTask({ bus: bus1, topics, group, pool, tablePrefix: crashed, rules });
    await waitFor(async () => hasMinute(await rowsOf(pool, crashed), 2, 'r.errors'), 'minute 2 written, the alert firing', 60_000);
    // Only minute 3 (from its first error on each partition) stays uncommitted; the composite window
    // of minutes 2-3 holds minute 2's row, whose events are committed past.
    await waitFor(async () => (await one.health()).totalLag <= minute(3, 0, 29).length, 'the group committing up to the open minute 3', 60_000);
    expect((await alertHistoryOf(pool, crashed)).map((a) => a.state)).toEqual(['firing', 'pending']);
    // A crash: the member's connections go without it writing what it holds.
    await bus1.close();

    const bus2 = run.bus('two');
    const two = await startReplayTask({ bus: bus2, topics, group, pool, tablePrefix: crashed, rules });
    await bus2.produce(topics.topic, REST);
    await waitFor(async () => finished(await rowsOf(pool, crashed)), 'the restarted member writing minute 4 and the composite window of minutes 2-3', 60_000);
    await two.stop();

    expect(two.lateEvents).toBe(0);
    expect(await alertHistoryOf(pool, crashed)).toEqual(cleanAlerts);
    expect(await rowsOf(pool, crashed)).toEqual(cleanRows);
  }, 180_000);
});
