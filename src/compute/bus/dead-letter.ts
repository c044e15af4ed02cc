// Bad input leaves the stream through a dead-letter topic instead of stopping it: the original
// bytes, key and headers, plus where the record came from and why it was rejected.

import { busMetrics } from './metrics.js';
import type { Bus, BusMessage, BusRecord } from './types.js';

export const DEAD_LETTER_HEADERS = {
  reason: 'x-logfed-reason',
  topic: 'x-logfed-source-topic',
  partition: 'x-logfed-source-partition',
  offset: 'x-logfed-source-offset',
} as const;

// A reason is meant for a person reading the topic; a whole stack trace would bloat every record.
const MAX_REASON = 2_000;

/** The dead-letter record of one bad record: its bytes, key and headers, plus where it came from and why. */
function deadLetterMessage(record: BusRecord, reason: string): BusMessage {
  return {
    key: record.key,
    value: record.value,
    headers: {
      ...record.headers,
      [DEAD_LETTER_HEADERS.reason]: reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON)}…` : reason,
      [DEAD_LETTER_HEADERS.topic]: record.topic,
      [DEAD_LETTER_HEADERS.partition]: String(record.partition),
      [DEAD_LETTER_HEADERS.offset]: record.offset,
    },
  };
}

export async function deadLetter(bus: Bus, topic: string, record: BusRecord, reason: string): Promise<void> {
  await deadLetters(bus, topic, [{ record, reason }]);
}

/** Many dead letters in one produce call, as a task sends those of one batch. */
export async function deadLetters(bus: Bus, topic: string, letters: ReadonlyArray<{ record: BusRecord; reason: string }>): Promise<void> {
  if (letters.length === 0) return;
  await bus.produce(topic, letters.map((l) => deadLetterMessage(l.record, l.reason)));
  for (const l of letters) busMetrics.deadLettered.inc({ bus: bus.kind, topic: l.record.topic });
}
