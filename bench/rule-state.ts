// What saving alert state with the results costs a task. An alert rule with a median/MAD baseline
// and a same-slot-yesterday comparison over KEYS keys of a 1-minute metric carries a day of history
// per key; each minute the task evaluates one row per key (the baseline, measured in the same run),
// then snapshots the evaluator and writes it with the minute's rows. Reported: the snapshot and
// its JSON against the evaluation, the state's size, and the MariaDB write of the minute's rows
// with and without the state (one transaction either way). Medians over the minutes measured.
// `npm run bench -- rule-state` (BENCH_KEYS=n to change the key count).

import { createAlertEvaluator } from '../src/compute/alerts/evaluator.js';
import type { MetricRow } from '../src/compute/metrics/row.js';
import { createMysqlResultStore } from '../src/compute/results/index.js';
import { dropPrefixedTables, migrate } from '../src/store/migrate.js';
import { connectTestMysql, newTablePrefix } from '../test/helpers/mysql.js';
import { median } from './_stats.js';

const KEYS = Number(process.env.BENCH_KEYS ?? 200);
const DAY_MINUTES = 1440;
const MEASURED = 15;
const T0 = Date.parse('2024-03-01T00:00:00Z');

const ev = createAlertEvaluator({
  id: 'errors-up',
  metric: 'errors',
  when: [
    { field: 'values.n', op: '>=', value: 10 },
    { baseline: { field: 'values.n', method: 'mad', window: 30 } },
    { change: { field: 'values.n', against: 'yesterday', direction: 'up', ratio: 3, minVolume: 5 } },
  ],
});
const rowsOf = (m: number): MetricRow[] =>
  Array.from({ length: KEYS }, (_, k) => ({ ruleId: 'errors', windowStart: T0 + m * 60_000, windowEnd: T0 + (m + 1) * 60_000, label: T0 + (m + 1) * 60_000, key: { app: `app-${k}` }, values: { n: 20 + ((k * 7 + m) % 11) } }));
const ms = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e6;

for (let m = 0; m < DAY_MINUTES; m++) for (const r of rowsOf(m)) ev.evaluate(r, 0);

const pool = await connectTestMysql(2);
const tablePrefix = newTablePrefix();
await migrate(pool, { tablePrefix });
const store = createMysqlResultStore(pool, { tablePrefix });
const evaluate: number[] = [];
const snapshot: number[] = [];
const plainWrite: number[] = [];
const stateWrite: number[] = [];
let bytes = 0;
try {
  for (let i = 0; i < MEASURED; i++) {
    const m = DAY_MINUTES + i;
    const rows = rowsOf(m);
    let t = process.hrtime.bigint();
    for (const r of rows) ev.evaluate(r, 0);
    evaluate.push(ms(t));
    t = process.hrtime.bigint();
    const state = ev.snapshot();
    bytes = JSON.stringify(state).length;
    snapshot.push(ms(t));
    // Same rows twice (an upsert either way), so the two writes differ only by the state.
    t = process.hrtime.bigint();
    await store.write({ rows, alerts: [] });
    plainWrite.push(ms(t));
    t = process.hrtime.bigint();
    await store.write({ rows, alerts: [], state: { taskId: 'bench', rules: [{ ruleId: ev.rule.id, print: 'p', state }] } });
    stateWrite.push(ms(t));
  }
} finally {
  await dropPrefixedTables(pool, tablePrefix);
  await pool.end();
}

const e = median(evaluate);
const s = median(snapshot);
const w0 = median(plainWrite);
const w1 = median(stateWrite);
console.log(`keys=${KEYS} history_minutes=${DAY_MINUTES} minutes_measured=${MEASURED} state_kib=${(bytes / 1024).toFixed(0)} bytes_per_key=${Math.round(bytes / KEYS)}`);
console.log(`per minute (medians): evaluate_ms=${e.toFixed(2)} snapshot_and_json_ms=${s.toFixed(2)} write_rows_ms=${w0.toFixed(2)} write_rows_and_state_ms=${w1.toFixed(2)}`);
console.log(`bench rule-state: snapshot_over_evaluate=${(s / e).toFixed(2)} write_with_state_over_without=${(w1 / w0).toFixed(2)} state_kib=${(bytes / 1024).toFixed(0)} evaluate_ms=${e.toFixed(2)} snapshot_ms=${s.toFixed(2)}`);
