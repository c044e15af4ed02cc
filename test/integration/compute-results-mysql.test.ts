// The result store's one write on the real MariaDB (and the memory store beside it): rows, alerts
// and a task's rule state go in together or not at all, the latest state of each rule is what a
// task reads back at start (a scale-out task's, per repartition partition), and a state too large for the server is saved as "start fresh".

import type { Pool } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../src/compute/alerts/types.js';
import { createMemoryResultStore, createMysqlResultStore, restoring, type ResultStore } from '../../src/compute/results/index.js';
import { MAX_STATE_CHARS } from '../../src/compute/results/mysql.js';
import type { MetricRow } from '../../src/compute/metrics/row.js';
import { dropPrefixedTables, migrate } from '../../src/store/migrate.js';
import { connectTestMysql, newTablePrefix } from '../helpers/mysql.js';

const prefix = newTablePrefix();
let pool: Pool;

beforeAll(async () => {
  pool = await connectTestMysql(4);
  await migrate(pool, { tablePrefix: prefix });
});
afterAll(async () => {
  await dropPrefixedTables(pool, prefix);
  await pool?.end();
});

const row = (m: number, n: number): MetricRow => ({ ruleId: 'errors', windowStart: m * 60_000, windowEnd: (m + 1) * 60_000, label: (m + 1) * 60_000, key: { app: 'pay' }, values: { n } });
const alert = (m: number): AlertEvent => ({ ruleId: 'high', fingerprint: 'high{app="pay"}', state: 'firing', notify: true, labels: {}, message: 'm', activeSince: 60_000, at: (m + 1) * 60_000, evaluatedAt: 0, metric: row(m, 9) });
const state = (series: number) => ({ ruleId: 'high', print: 'p1', state: { version: 1, series } });

describe.each([
  ['memory', () => createMemoryResultStore()],
  ['mysql', () => createMysqlResultStore(pool, { tablePrefix: prefix })],
])('the %s result store', (kind, make) => {
  it('keeps the latest state of each rule of a task, apart from other tasks, with the rows and alerts it came with', async () => {
    const store: ResultStore = make();
    const task = `t-${kind}`;
    await store.write({ rows: [row(0, 3)], alerts: [alert(0)], state: { taskId: task, rules: [state(1), { ruleId: 'health', print: 'p2', state: { windows: [] } }] } });
    await store.write({ rows: [row(1, 4)], alerts: [], state: { taskId: task, rules: [state(2)] } });
    await store.write({ rows: [], alerts: [], state: { taskId: `${task}-other`, rules: [state(7)] } });
    expect(await store.ruleStates(task)).toEqual(
      new Map<string, unknown>([
        ['high', state(2)],
        ['health', { ruleId: 'health', print: 'p2', state: { windows: [] } }],
      ]),
    );
    expect(await store.closedThrough(['errors'])).toEqual(new Map([['errors', 120_000]]));
    expect((await store.alerts({ ruleId: 'high' })).map((a) => a.state)).toEqual(['firing']);
    expect(await store.ruleStates('nobody')).toEqual(new Map());
  });

  it('keeps a scale-out task\'s states per repartition partition, apart from its whole-task states', async () => {
    const store: ResultStore = make();
    const task = `parts-${kind}`;
    const part = (p: number, series: number) => ({ ...state(series), part: p });
    await store.write({ rows: [], alerts: [], state: { taskId: task, rules: [part(0, 1), part(1, 1), state(9)] } });
    await store.write({ rows: [], alerts: [], state: { taskId: task, rules: [part(1, 2), part(2, 1)] } });
    const byPart = (states: readonly { part?: number }[]) => [...states].sort((a, b) => (a.part ?? 0) - (b.part ?? 0));
    expect(byPart(await store.partStates(task, [1, 2]))).toEqual([part(1, 2), part(2, 1)]);
    expect(await store.partStates(task, [0])).toEqual([part(0, 1)]);
    expect(await store.partStates(task, [])).toEqual([]);
    expect(await store.ruleStates(task)).toEqual(new Map([['high', state(9)]]));
  });
});

describe('the mysql result store', () => {
  it('writes nothing of a batch whose rule state cannot be written', async () => {
    const store = createMysqlResultStore(pool, { tablePrefix: prefix });
    await store.write({ rows: [row(10, 1)], alerts: [], state: { taskId: 'atomic', rules: [state(1)] } });
    // A rule id longer than the column: refused by the server in strict mode, after the rows went in.
    const refused = store.write({ rows: [row(11, 1)], alerts: [alert(11)], state: { taskId: 'atomic', rules: [{ ...state(2), ruleId: 'x'.repeat(300) }] } });
    await expect(refused).rejects.toThrow(/rule_id/);
    expect((await store.latestRows('errors', {}, 100)).map((r) => r.windowStart / 60_000)).not.toContain(11);
    expect((await store.alerts({})).map((a) => a.at)).not.toContain(12 * 60_000);
    expect((await store.ruleStates('atomic')).get('high')).toEqual(state(1));
  });

  it('saves a state too large for the server as null, and the rule then starts fresh', async () => {
    const store = createMysqlResultStore(pool, { tablePrefix: prefix });
    const huge = { ruleId: 'big', print: 'p', state: { blob: 'x'.repeat(MAX_STATE_CHARS) } };
    await store.write({ rows: [row(20, 1)], alerts: [], state: { taskId: 'large', rules: [huge, state(3)] } });
    const back = await store.ruleStates('large');
    expect(back.get('big')).toEqual({ ruleId: 'big', print: 'p', state: null });
    expect(back.get('high')).toEqual(state(3));
    expect(restoring({ id: 'big' }, 'p', back.get('big'), (restore) => restore ?? 'fresh')).toBe('fresh');
  });
});
