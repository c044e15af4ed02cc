// Prometheus series of compute tasks: records, events and dead letters counted as they happen;
// running state, events/s and consumer lag per partition read from the live tasks when /metrics
// is scraped. Per-rule counts and latency come from the pipeline itself (stages/counters.ts).

import client from 'prom-client';
import { counter, histogram, registry, scrapedSources } from '../../observe/metrics.js';
import type { PartitionLag } from '../bus/types.js';

export const taskMetrics = {
  records: counter('logfed_task_records_total', 'Records a compute task consumed and handled', ['task']),
  events: counter('logfed_task_events_total', 'Events a compute task emitted', ['task']),
  deadLetters: counter('logfed_task_dead_letters_total', 'Records a compute task sent to its dead-letter topic', ['task']),
  reloads: counter('logfed_task_rule_reloads_total', 'Rule reloads of a compute task by outcome (applied, unchanged, rejected)', ['task', 'outcome']),
  batchSeconds: histogram('logfed_task_batch_seconds', 'Time to handle one batch: process, write outputs, commit', ['task'], [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]),
};

export interface TaskGaugeSource {
  id: string;
  running(): boolean;
  eventsPerSecond(): number;
  /** The lag last read from the broker (read on an interval, not per scrape). */
  lastLag(): readonly PartitionLag[];
}

/** Publishes a task's gauges until the returned function is called. */
export const publishTaskGauges = scrapedSources<TaskGaugeSource>('logfed_task_running', (sources) => {
  new client.Gauge({
    name: 'logfed_task_running',
    help: 'Whether a compute task is consuming (1) or not (0)',
    labelNames: ['task'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of sources) this.set({ task: s.id }, s.running() ? 1 : 0);
    },
  });
  new client.Gauge({
    name: 'logfed_task_events_per_second',
    help: 'Events a compute task emitted per second over the last 10 seconds',
    labelNames: ['task'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of sources) this.set({ task: s.id }, s.eventsPerSecond());
    },
  });
  new client.Gauge({
    name: 'logfed_task_lag',
    help: "Records behind the log end, per partition of a compute task's topics",
    labelNames: ['task', 'topic', 'partition'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of sources) for (const p of s.lastLag()) this.set({ task: s.id, topic: p.topic, partition: String(p.partition) }, p.lag);
    },
  });
});
