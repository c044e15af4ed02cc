// Counters shared by both bus implementations, so a dashboard reads the same series whether the
// compute core runs on Kafka or in memory. Labelled by topic (and group for consumption).

import { counter } from '../../observe/metrics.js';

export const busMetrics = {
  produced: counter('logfed_bus_produced_total', 'Records produced to the bus', ['bus', 'topic']),
  produceFailed: counter('logfed_bus_produce_failed_total', 'Records whose produce call failed', ['bus', 'topic']),
  consumed: counter('logfed_bus_consumed_total', 'Records handed to a subscriber and handled', ['bus', 'topic', 'group']),
  consumeFailed: counter('logfed_bus_consume_failed_total', 'Records of batches whose handler failed (delivered again)', ['bus', 'topic', 'group']),
  deadLettered: counter('logfed_bus_dead_lettered_total', 'Records sent to a dead-letter topic, by the topic they came from', ['bus', 'topic']),
};
