// Helpers for tests of scale-out tasks (memory and Kafka): JSON log records whose keys are spread
// over every input partition, metric rules that need a real merge (count, sum, distinct count,
// avg, TopN), and a task runner built on a given bus and result store. Never used in production.

import type { BusMessage, Bus } from '../bus/types.js';
import { keyOnPartition } from '../bus/partitioner.js';
import type { MetricRow } from '../metrics/row.js';
import type { Results } from '../results/index.js';
import { validateRule, type Rule } from '../rules/index.js';
import { taskConfigSchema, type TaskConfigInput } from './config.js';
import { TaskRunner } from './runner.js';
import { TEST_MASK_SECRET } from './testing.js';

export const SCALE_OUT_RULES = [
  { id: 's.json', kind: 'dataType', version: 1, online: true, format: 'json', identify: { all: ['"cost"'] } },
  { id: 's.parse', kind: 'parse', version: 1, online: true, dataType: 's.json', parser: { type: 'json' }, map: { ts: 'ts', app: 'app', host: 'host' }, defaults: { domain: 'shop', env: 'prod', file: 'app.log' } },
  {
    id: 's.stats',
    kind: 'metric',
    version: 1,
    online: true,
    period: '1m',
    groupBy: ['app'],
    aggregations: [
      { as: 'n', fn: 'count' },
      { as: 'cost', fn: 'sum', field: 'cost' },
      { as: 'users', fn: 'distinct_count', field: 'user' },
      { as: 'avgCost', fn: 'avg', field: 'cost' },
    ],
  },
  { id: 's.top', kind: 'metric', version: 1, online: true, period: '1m', groupBy: ['app'], aggregations: [{ as: 'cost', fn: 'topn', field: 'cost#host#2' }] },
  { id: 's.busy', kind: 'alert', version: 1, online: true, metric: 's.stats', when: [{ field: 'values.n', op: '>=', value: 8 }], message: '{{key.app}} served {{values.n}}' },
].map(validateRule);

export const APPS = ['pay', 'shop', 'user', 'search'];

/** A key that Kafka's partitioner (and the in-process bus) places on `partition` of `count`. */
export function keyOn(partition: number, count: number): string {
  return keyOnPartition('k', partition, count);
}

/**
 * Per input partition, one record every `step` seconds of minutes [from, to), each app in turn,
 * so every app has events on every partition. Costs and users are integers, so sums are exact
 * whatever order partials merge in.
 */
export function spreadRecords(t0: number, partitions: number, from: number, to: number, step = 5): Array<{ partition: number; message: BusMessage }> {
  const out: Array<{ partition: number; message: BusMessage }> = [];
  for (let s = from * 60; s < to * 60; s += step) {
    for (let p = 0; p < partitions; p++) {
      const i = s / step + p;
      const record = { ts: new Date(t0 + s * 1000 + p).toISOString(), app: APPS[i % APPS.length], host: `h${(i * 7) % 5}`, user: `u${(i * 3) % 11}`, cost: (i * 13) % 100 };
      out.push({ partition: p, message: { key: keyOn(p, partitions), value: JSON.stringify(record) } });
    }
  }
  return out;
}

/** A task runner with the scale-out rules; `task` overrides the config (groupId, scaleOut ...). */
export async function startScaleOutTask(bus: Bus, results: Results, task: Partial<TaskConfigInput> & Pick<TaskConfigInput, 'topics'>, rules: readonly Rule[] = SCALE_OUT_RULES): Promise<TaskRunner> {
  // Windows close on event time only: no partition goes idle while a test runs.
  const config = taskConfigSchema.parse({ id: 'spread', rules: ['s.*'], startFrom: 'earliest', tail: false, advanceMs: 20, allowedLatenessMs: 0, idleTimeoutMs: 600_000, ...task });
  const runner = new TaskRunner(config, { bus, compile: { maskSecret: TEST_MASK_SECRET }, results, lagIntervalMs: 100 });
  const loaded = await runner.load({ rules: [...rules], rejected: new Map(), missing: [], stored: new Map() });
  if (loaded.issues.length > 0) throw new Error(`scale-out test rules did not load: ${JSON.stringify(loaded.issues)}`);
  await runner.start();
  return runner;
}

/** Rows in one order, windows as minutes after t0, for comparing two runs. */
export function comparable(rows: readonly MetricRow[], t0: number) {
  return rows
    .map((r) => ({ rule: r.ruleId, minute: (r.windowStart - t0) / 60_000, key: r.key, values: r.values }))
    .sort((a, b) => a.rule.localeCompare(b.rule) || a.minute - b.minute || JSON.stringify(a.key).localeCompare(JSON.stringify(b.key)));
}
