// Throughput of the simple metric stage on one core: 1,000,000 generated events (10,000
// distinct app×interface keys) through 20 metric rules of mixed aggregations, windows closed
// by the watermark as a task would; the baseline, measured in the same run, is one plain Map
// count per event. Event time advances as it would for a task keeping up with the goal of
// 100,000 events/s, and events arrive in consumer batches of 2,000; a second, smaller run
// spreads events thinly in time, so that most events open a new series (the worst case).
// Times are CPU seconds of this process, so other work on a shared machine weighs less.
// Also the heap held per 10,000 open series, measured between forced collections: the script
// enables gc itself (v8 flags + vm), so no --expose-gc is needed.
// `npm run bench -- metrics` (BENCH_EVENTS=n for a shorter run).

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { LogEvent } from '../src/core/event.js';
import { createMetricAggregator, type MetricAggregator } from '../src/compute/metrics/index.js';

const TOTAL = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const CHUNK = 50_000;
const BATCH = 2_000; // events per consumer batch
const APPS = 100;
const INTFS = 100; // APPS × INTFS = 10,000 distinct keys
const HOSTS = 400;
const STEADY_RATE = 100_000; // events per second of event time: a task keeping up with the goal
const CHURN_RATE = 2_000; // so thin that a series sees about one event per window
const T0 = Date.parse('2024-03-01T08:00:50Z'); // ten seconds in, the first windows close

const RULES = [
  { id: 'count_app', period: '1m', groupBy: ['app'], aggregations: [{ as: 'n', fn: 'count' }] },
  { id: 'count_app_intf', period: '1m', groupBy: ['app', 'intf'], aggregations: [{ as: 'n', fn: 'count' }] },
  { id: 'max_cost', period: '1m', groupBy: ['app', 'intf'], aggregations: [{ as: 'max', fn: 'max', field: 'cost' }] },
  { id: 'avg_cost_app', period: '1m', groupBy: ['app'], aggregations: [{ as: 'avg', fn: 'avg', field: 'cost' }] },
  { id: 'sum_bytes', period: '1m', groupBy: ['app', 'host'], aggregations: [{ as: 'bytes', fn: 'sum', field: 'bytes' }] },
  { id: 'min_cost_intf', period: '1m', groupBy: ['intf'], aggregations: [{ as: 'min', fn: 'min', field: 'cost' }] },
  { id: 'users', period: '1m', groupBy: ['app'], aggregations: [{ as: 'users', fn: 'distinct_count', field: 'user' }] },
  { id: 'slow_intfs', period: '1m', groupBy: ['app'], where: [{ field: 'cost', op: '>', value: 900 }], aggregations: [{ as: 'intfs', fn: 'distinct_values', field: 'intf' }] },
  { id: 'success_rate', period: '1m', groupBy: ['app', 'intf', 'result'], aggregations: [{ as: 'ratio', fn: 'ratio', field: 'result' }] },
  { id: 'top_cost', period: '1m', groupBy: ['app'], aggregations: [{ as: 'cost', fn: 'topn', field: 'cost#intf#10' }] },
  { id: 'first_host', period: '1m', groupBy: ['app', 'intf'], aggregations: [{ as: 'host', fn: 'value', field: 'host' }] },
  { id: 'errors', period: '1m', groupBy: ['app'], where: [{ field: 'level', op: '=', value: 'ERROR' }], aggregations: [{ as: 'n', fn: 'count' }] },
  {
    id: 'cost_stats',
    period: '5m',
    groupBy: ['app', 'intf'],
    aggregations: [
      { as: 'n', fn: 'count' },
      { as: 'max', fn: 'max', field: 'cost' },
      { as: 'avg', fn: 'avg', field: 'cost' },
      { as: 'sum', fn: 'sum', field: 'cost' },
    ],
  },
  { id: 'count_host', period: '1m', groupBy: ['host'], aggregations: [{ as: 'n', fn: 'count' }] },
  { id: 'night', period: '1m', groupBy: ['app'], where: [{ field: 'ts', op: 'time_in', value: '20:00-23:59,00:00-08:30' }], aggregations: [{ as: 'n', fn: 'count' }] },
  { id: 'some_intfs', period: '1m', groupBy: ['app'], where: [{ field: 'intf', op: 'in', value: 'intf1,intf2,intf3,intf4' }], aggregations: [{ as: 'n', fn: 'count' }] },
  { id: 'ora_errors', period: '1m', groupBy: ['app'], where: [{ field: 'code', op: 'starts_with', value: 'ORA-' }], aggregations: [{ as: 'n', fn: 'count' }] },
  { id: 'avg_cost_5m', period: '5m', groupBy: ['app', 'intf'], aggregations: [{ as: 'avg', fn: 'avg', field: 'cost' }] },
  { id: 'hosts_per_intf', period: '1m', groupBy: ['intf'], aggregations: [{ as: 'hosts', fn: 'distinct_count', field: 'host' }] },
  { id: 'count_result', period: '3m', groupBy: ['app', 'intf', 'result'], aggregations: [{ as: 'n', fn: 'count' }] },
];

// A cheap deterministic generator, so every run sees the same events.
let seed = 42;
const rand = (n: number) => {
  // mulberry32: cheap, and unlike a plain LCG its low bits are not periodic.
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) % n;
};
const APP_NAMES = Array.from({ length: APPS }, (_, i) => `app${i}`);
const INTF_NAMES = Array.from({ length: INTFS }, (_, i) => `intf${i}`);
const HOST_NAMES = Array.from({ length: HOSTS }, (_, i) => `10.0.${i >> 8}.${i & 255}`);

function makeEvents(from: number, count: number, spreadMs: number): LogEvent[] {
  const out: LogEvent[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const n = from + i;
    // A little disorder, as events from several producers arrive.
    const ts = T0 + Math.floor(n * spreadMs) - rand(2000);
    const error = rand(50) === 0;
    out[i] = {
      ts,
      domain: 'shop',
      env: 'prod',
      app: APP_NAMES[rand(APPS)]!,
      file: 'app.log',
      host: HOST_NAMES[rand(HOSTS)]!,
      level: error ? 'ERROR' : 'INFO',
      message: 'call done',
      fields: { intf: INTF_NAMES[rand(INTFS)]!, cost: rand(1000), bytes: rand(10_000), result: error ? -1 : 0, user: `u${rand(5000)}`, code: error ? 'ORA-00600' : 'OK' },
    };
  }
  return out;
}

// CPU seconds of this process (GC threads included) rather than wall time: on a busy machine,
// time spent waiting for a core is not counted as work.
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

function runRules(aggs: MetricAggregator[], total: number, rate: number): { seconds: number; rows: number } {
  let seconds = 0;
  let rows = 0;
  for (let from = 0; from < total; from += CHUNK) {
    const events = makeEvents(from, Math.min(CHUNK, total - from), 1000 / rate);
    const started = cpuSeconds();
    // Kafka hands a consumer batches; each rule takes the batch in turn.
    for (let b = 0; b < events.length; b += BATCH) {
      const batch = events.slice(b, b + BATCH);
      const offsets = Array.from({ length: batch.length }, (_, i) => from + b + i);
      for (let r = 0; r < aggs.length; r++) aggs[r]!.pushBatch(batch, 0, offsets);
    }
    let watermark = Number.NEGATIVE_INFINITY;
    for (const e of events) if (e.ts > watermark) watermark = e.ts;
    for (const a of aggs) rows += a.advance(watermark - 2000).length;
    seconds += cpuSeconds() - started;
  }
  const started = cpuSeconds();
  for (const a of aggs) rows += a.flush().length;
  seconds += cpuSeconds() - started;
  return { seconds, rows };
}

function runBaseline(total: number): number {
  let seconds = 0;
  for (let from = 0; from < total; from += CHUNK) {
    const events = makeEvents(from, Math.min(CHUNK, total - from), 1000 / STEADY_RATE);
    const started = cpuSeconds();
    const counts = new Map<string, number>();
    for (const e of events) {
      const k = `${e.app}\u001f${e.fields!.intf as string}`;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    seconds += cpuSeconds() - started;
    if (counts.size === 0) throw new Error('unreachable');
  }
  return seconds;
}

// Warm the JIT on a tenth of the run, so the figures describe the steady state.
runRules(RULES.map((r) => createMetricAggregator(r)), TOTAL / 10, STEADY_RATE);
runBaseline(TOTAL / 10);
seed = 42;

const aggs = RULES.map((r) => createMetricAggregator(r, { allowedLatenessMs: 5_000 }));
const { seconds, rows } = runRules(aggs, TOTAL, STEADY_RATE);
const late = aggs.reduce((n, a) => n + a.stats().late, 0);
seed = 42;
const baselineSeconds = runBaseline(TOTAL);
const churnEvents = Math.min(TOTAL, 200_000);
const churn = runRules(RULES.map((r) => createMetricAggregator(r, { allowedLatenessMs: 5_000 })), churnEvents, CHURN_RATE);

// Heap per open series: fill one window of every rule, then compare collected heaps.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapAfterGc = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};
const held = RULES.map((r) => createMetricAggregator(r));
const before = heapAfterGc();
for (let from = 0; from < 400_000; from += CHUNK) {
  for (const e of makeEvents(from, CHUNK, 0)) for (const a of held) a.push(e);
}
const openSeries = held.reduce((n, a) => n + a.openSeries(), 0);
const heldBytes = heapAfterGc() - before;

const eventsPerS = TOTAL / seconds;
const baselinePerS = TOTAL / baselineSeconds;
const mbPer10k = (heldBytes / openSeries) * 10_000 / 1_048_576;
console.log(`rules=${RULES.length} events=${TOTAL} event_time_s=${TOTAL / STEADY_RATE} rows=${rows} late=${late} cpu_seconds=${seconds.toFixed(2)}`);
console.log(`churn: events=${churnEvents} at ${CHURN_RATE}/s of event time rows=${churn.rows} churn_events_per_s=${Math.round(churnEvents / churn.seconds)}`);
console.log(`goal_events_per_s=100000 anchor_flink_keyed_reduce_records_per_s_per_core=350000`);
console.log(`rule_evaluations_per_s=${Math.round((TOTAL * RULES.length) / seconds)} ratio_to_baseline=${(eventsPerS / baselinePerS).toFixed(3)}`);
console.log(`open_series=${openSeries} heap_held_mb=${(heldBytes / 1_048_576).toFixed(1)}`);
console.log(`bench metrics: events_per_s=${Math.round(eventsPerS)} mb_per_10k_series=${mbPer10k.toFixed(2)} baseline_events_per_s=${Math.round(baselinePerS)}`);
