// Bad input leaves the stream through a dead-letter topic instead of stopping it: the original
// bytes, key and headers, plus where the record came from and why it was rejected.

import { busMetrics } from './metrics.js';
import type { Bus, BusRecord } from './types.js';

export const DEAD_LETTER_HEADERS = {
  reason: 'x-logfed-reason',
  topic: 'x-logfed-source-topic',
  partition: 'x-logfed-source-partition',
  offset: 'x-logfed-source-offset',
} as const;

// A reason is meant for a person reading the topic; a whole stack trace would bloat every record.
const MAX_REASON = 2_000;

export async function deadLetter(bus: Bus, topic: string, record: BusRecord, reason: string): Promise<void> {
  await bus.produce(topic, [
    {
      key: record.key,
      value: record.value,
      headers: {
        ...record.headers,
        [DEAD_LETTER_HEADERS.reason]: reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON)}…` : reason,
        [DEAD_LETTER_HEADERS.topic]: record.topic,
        [DEAD_LETTER_HEADERS.partition]: String(record.partition),
        [DEAD_LETTER_HEADERS.offset]: record.offset,
      },
    },
  ]);
  busMetrics.deadLettered.inc({ bus: bus.kind, topic: record.topic });
}
