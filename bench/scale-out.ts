// What two-phase aggregation costs: the same JSON records (keys spread over 3 input partitions)
// through the scale-out test rules (count, sum, distinct count, avg; TopN), once by one task
// instance on the direct path (the baseline) and once by two instances of a scale-out task in one
// group, both on the in-process bus in this process, from the first record to the last window's
// rows. Also the repartition records (partials and markers) sent per input event. Medians of
// alternating runs. `npm run bench -- scale-out` (BENCH_EVENTS=n, BENCH_RUNS=n).

import type { Bus, BusMessage } from '../src/compute/bus/types.js';
import type { TaskRunner } from '../src/compute/tasks/runner.js';
import { median } from './_stats.js';

// Task start and stop lines would drown the figures: modules that log load after this.
process.env.LOGFED_LOG_LEVEL ??= 'warn';
const { createMemoryBus } = await import('../src/compute/bus/memory.js');
const { createMemoryResultStore, createResults } = await import('../src/compute/results/index.js');
const { repartitionRecords } = await import('../src/compute/tasks/scale-out.js');
const { keyOn, startScaleOutTask } = await import('../src/compute/tasks/scale-out-testing.js');

const EVENTS = Number(process.env.BENCH_EVENTS ?? 300_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const PARTITIONS = 3;
const APPS = 300;
const MINUTES = 5;
const T0 = Date.parse('2026-11-21T07:00:00Z');

/** EVENTS records over MINUTES minutes, round-robin over the partitions, then one past the end on each. */
function records(): BusMessage[][] {
  const out: BusMessage[][] = Array.from({ length: PARTITIONS }, () => []);
  const step = (MINUTES * 60_000) / EVENTS;
  const line = (i: number, ts: number) => JSON.stringify({ ts: new Date(ts).toISOString(), app: `app${(i * 7) % APPS}`, host: `h${i % 13}`, user: `u${i % 97}`, cost: (i * 31) % 1000 });
  for (let i = 0; i < EVENTS; i++) out[i % PARTITIONS]!.push({ key: keyOn(i % PARTITIONS, PARTITIONS), value: line(i, T0 + Math.floor(i * step)) });
  for (let p = 0; p < PARTITIONS; p++) out[p]!.push({ key: keyOn(p, PARTITIONS), value: line(p, T0 + (MINUTES + 1) * 60_000) });
  return out;
}

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
}

const rowsOf = (tasks: TaskRunner[]) => tasks.reduce((n, t) => n + (t.metricStage?.stats()['s.stats']?.rowsEmitted ?? 0), 0);

async function run(scaleOut: boolean, input: BusMessage[][]): Promise<{ seconds: number; cpu: number; repartition: number }> {
  const bus: Bus = createMemoryBus({ maxBatchSize: 2_000 });
  await bus.ensureTopics([{ topic: 'in', partitions: PARTITIONS }]);
  const results = createResults(createMemoryResultStore({ rowsPerRule: 100_000 }));
  const task = { topics: ['in'], groupId: 'g', tail: false, ...(scaleOut ? { scaleOut: { partitions: PARTITIONS } } : {}) };
  const tasks = [await startScaleOutTask(bus, results, task), ...(scaleOut ? [await startScaleOutTask(bus, results, task)] : [])];
  const sentBefore = await sent();
  const started = performance.now();
  const cpu = process.cpuUsage();
  for (const part of input) await bus.produce('in', part);
  await until(() => rowsOf(tasks) >= APPS * MINUTES);
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const repartition = (await sent()) - sentBefore;
  for (const t of tasks) await t.close();
  await bus.close();
  return { seconds, cpu: (used.user + used.system) / 1e6, repartition };
}

async function sent(): Promise<number> {
  return (await repartitionRecords.get()).values.filter((v) => v.labels.kind !== 'refused').reduce((n, v) => n + v.value, 0);
}

const input = records();
const direct: Awaited<ReturnType<typeof run>>[] = [];
const scaled: Awaited<ReturnType<typeof run>>[] = [];
await run(false, input); // warm-up
for (let i = 0; i < RUNS; i++) {
  direct.push(await run(false, input));
  scaled.push(await run(true, input));
}
const events = EVENTS + PARTITIONS;
const directPerS = events / median(direct.map((r) => r.seconds));
const scaledPerS = events / median(scaled.map((r) => r.seconds));
console.log(`events=${events} partitions=${PARTITIONS} apps=${APPS} minutes=${MINUTES} runs=${RUNS}`);
console.log(`direct: wall_s=${direct.map((r) => r.seconds.toFixed(2)).join(',')} cpu_s=${direct.map((r) => r.cpu.toFixed(2)).join(',')}`);
console.log(`scale-out (2 instances): wall_s=${scaled.map((r) => r.seconds.toFixed(2)).join(',')} cpu_s=${scaled.map((r) => r.cpu.toFixed(2)).join(',')}`);
console.log(
  `bench scale-out: events_per_s=${Math.round(scaledPerS)} baseline_events_per_s=${Math.round(directPerS)} ratio_to_baseline=${(scaledPerS / directPerS).toFixed(3)} cpu_ratio=${(median(scaled.map((r) => r.cpu)) / median(direct.map((r) => r.cpu))).toFixed(3)} repartition_records_per_event=${(median(scaled.map((r) => r.repartition)) / events).toFixed(4)}`,
);
