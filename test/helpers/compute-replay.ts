// What the replay tests of compute tasks share: a parse-only rule set (one record, one event),
// minutes of logback lines spread over the two partitions of a topic, a task started in a given
// group with its results in MariaDB, and the rows and alert history a run left there.

import type { Pool, RowDataPacket } from 'mysql2/promise';
import { expect } from 'vitest';
import type { Bus, BusMessage } from '../../src/compute/bus/index.js';
import { partitionForKey } from '../../src/compute/bus/partitioner.js';
import { waitFor } from '../../src/compute/bus/testing.js';
import { createMysqlResultStore, createResults } from '../../src/compute/results/index.js';
import { validateRule, type Rule } from '../../src/compute/rules/index.js';
import { taskConfigSchema } from '../../src/compute/tasks/config.js';
import { TaskRunner } from '../../src/compute/tasks/runner.js';
import { logbackLine, TEST_MASK_SECRET } from '../../src/compute/tasks/testing.js';
import type { KafkaTestRun } from './kafka.js';

export const T0 = Date.parse('2026-11-21T03:00:00Z');

/** No multi-line parsing: every record is one event, handled in the batch that brings it. */
export const parseRules: unknown[] = [
  { id: 'r.app', kind: 'dataType', version: 1, online: true, identify: { all: [' --- ['] } },
  { id: 'r.parse', kind: 'parse', version: 1, online: true, dataType: 'r.app', parser: { type: 'logback' }, defaults: { domain: 'shop', env: 'prod', app: 'order-service', file: 'app.log' } },
];

/** Message keys that land on partition 0 and on partition 1 of a 2-partition topic. */
export const keys = [0, 1].map((p) => Array.from({ length: 200 }, (_, i) => `k${i}`).find((k) => partitionForKey(k, 2) === p)!);

/** One event a second of minute `m`, seconds `from` to `to`, alternating partitions; `level(s)` names each one's level. */
export function minute(m: number, from: number, to: number, level: (s: number) => string = (s) => (s % 3 === 0 ? 'ERROR' : 'INFO')): BusMessage[] {
  const out: BusMessage[] = [];
  for (let s = from; s <= to; s++) out.push({ key: keys[s % 2]!, value: logbackLine(T0 + m * 60_000 + s * 1000, `event ${m}:${s}`, level(s)) });
  return out;
}

/** Minutes 0 and 1 and the first half of minute 2 (still open once they are in)... */
export const FIRST = [...minute(0, 0, 59), ...minute(1, 0, 59), ...minute(2, 0, 29)];
/** ...then the rest of minute 2, minute 3 and the start of minute 4, which closes minute 3. */
export const REST = [...minute(2, 30, 59), ...minute(3, 0, 59), ...minute(4, 0, 9)];
/** The events of the window FIRST leaves open: what a member that read only FIRST must not commit. */
export const HELD = minute(2, 0, 29).length;

export const topicsOf = (run: KafkaTestRun, name: string) => ({ topic: run.topic(name), dead: run.topic(`${name}-dlq`), late: run.topic(`${name}-late`) });
export type ReplayTopics = ReturnType<typeof topicsOf>;

export interface ReplayTask {
  bus: Bus;
  topics: ReplayTopics;
  group: string;
  pool: Pool;
  tablePrefix: string;
  rules: unknown[];
}

/** A task reading `topics` in `group`; windows close on event time only (no partition goes idle while a test runs). */
export async function startReplayTask(t: ReplayTask): Promise<TaskRunner> {
  const config = taskConfigSchema.parse({
    id: 'replay',
    topics: [t.topics.topic],
    groupId: t.group,
    rules: ['r.*'],
    startFrom: 'earliest',
    tail: false,
    advanceMs: 20,
    allowedLatenessMs: 0,
    idleTimeoutMs: 600_000,
    deadLetterTopic: t.topics.dead,
    lateTopic: t.topics.late,
  });
  const results = createResults(createMysqlResultStore(t.pool, { tablePrefix: t.tablePrefix }));
  const task = new TaskRunner(config, { bus: t.bus, compile: { maskSecret: TEST_MASK_SECRET }, results, lagIntervalMs: 100 });
  const rules: Rule[] = t.rules.map(validateRule);
  const loaded = await task.load({ rules, rejected: new Map(), missing: [], stored: new Map() });
  expect(loaded.issues).toEqual([]);
  await task.start();
  return task;
}

/**
 * The reference: `input` read by one member, in a group of its own, that never stops until the
 * rows it wrote satisfy `done`. Answers those rows, which every disturbed run must equal.
 */
export async function cleanRun(run: KafkaTestRun, t: Pick<ReplayTask, 'pool' | 'tablePrefix' | 'rules'>, input: BusMessage[], done: (rows: StoredRow[]) => boolean): Promise<StoredRow[]> {
  const bus = run.bus('clean');
  const topics = topicsOf(run, 'clean');
  await run.create([topics.topic], { partitions: 2 });
  await bus.produce(topics.topic, input);
  const task = await startReplayTask({ ...t, bus, topics, group: run.group('clean') });
  await waitFor(async () => done(await rowsOf(t.pool, t.tablePrefix)), 'the clean run writing its last window', 60_000);
  await task.stop();
  return rowsOf(t.pool, t.tablePrefix);
}

/** Whether `rows` hold a row of `rule` (any, when not given) for minute `m`. */
export const hasMinute = (rows: StoredRow[], m: number, rule?: string) => rows.some((r) => r.minute === m && (rule === undefined || r.rule === rule));

export interface StoredRow {
  rule: string;
  minute: number;
  key: Record<string, string>;
  values: Record<string, number>;
}

/** Every metric row a run wrote, by window then key; `minute` counts from T0. */
export async function rowsOf(pool: Pool, tablePrefix: string): Promise<StoredRow[]> {
  const [found] = await pool.query<RowDataPacket[]>(`SELECT rule_id, window_start, key_json, values_json FROM \`${tablePrefix}metric_rows\` ORDER BY window_start, rule_id, key_json`);
  return found.map((r) => ({ rule: r.rule_id, minute: (Number(r.window_start) - T0) / 60_000, key: JSON.parse(r.key_json), values: JSON.parse(r.values_json) }));
}

export async function minutesWritten(pool: Pool, tablePrefix: string): Promise<Set<number>> {
  return new Set((await rowsOf(pool, tablePrefix)).map((r) => r.minute));
}

/** The alert history a run wrote: one entry per (alert, episode, state), without wall times. */
export async function alertHistoryOf(pool: Pool, tablePrefix: string): Promise<Array<{ fingerprint: string; state: string; activeSince: number; at: number; notify: boolean }>> {
  const [found] = await pool.query<RowDataPacket[]>(`SELECT fingerprint, state, active_since, at, notify FROM \`${tablePrefix}alert_events\` ORDER BY active_since, fingerprint, state`);
  return found.map((r) => ({ fingerprint: r.fingerprint, state: r.state, activeSince: (Number(r.active_since) - T0) / 60_000, at: (Number(r.at) - T0) / 60_000, notify: r.notify === 1 }));
}
