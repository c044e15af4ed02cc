// What a task writes to Kafka: processed events as JSON on its output topic, and dead letters
// (original bytes, key and headers plus the reason) on its dead-letter topic. Both are kept under
// the broker's default message size, so one oversized record can never stall a task.

import type { LogEvent } from '../../core/event.js';
import type { AlertEvent } from '../alerts/types.js';
import type { MetricRow } from '../metrics/row.js';
import { keyText } from '../results/types.js';
import { deadLetters } from '../bus/index.js';
import type { Bus, BusMessage, BusRecord } from '../bus/types.js';
import { headerText, META, type DeadLetter, type RawRecord } from '../stages/types.js';

/** Below Kafka's default message.max.bytes (1,048,588) with room for the record's framing. */
export const MAX_OUTPUT_BYTES = 1_000_000;

/** Set on a dead letter whose bytes were cut to fit: the length of the original value. */
export const DEAD_LETTER_CUT_HEADER = 'x-logfed-original-length';

const utf8Cut = (text: string, bytes: number): string => {
  const buf = Buffer.from(text, 'utf8');
  let end = Math.max(0, Math.min(buf.length, bytes));
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
  return buf.toString('utf8', 0, end);
};

/** The output record of one event; a message too long for the broker is cut and flagged `_truncated`. */
export function eventMessage(event: LogEvent, maxBytes = MAX_OUTPUT_BYTES): BusMessage {
  const key = `${event.domain}/${event.env}/${event.app}/${event.file}`;
  let json = JSON.stringify(event);
  // Characters are at most 3 bytes each in UTF-8 (4 for a surrogate pair, which is 2 characters).
  if (json.length * 3 > maxBytes) {
    const over = Buffer.byteLength(json) - maxBytes;
    if (over > 0) {
      const message = utf8Cut(event.message, Buffer.byteLength(event.message) - over - 64);
      let cut: LogEvent = { ...event, message, fields: { ...event.fields, [META.truncated]: true } };
      json = JSON.stringify(cut);
      if (Buffer.byteLength(json) > maxBytes) {
        // The fields themselves are too large: keep the event's identity and say what happened.
        cut = { ...cut, fields: { [META.type]: event.fields?.[META.type], [META.truncated]: true } };
        json = JSON.stringify({ ...cut, message: utf8Cut(message, maxBytes / 2) });
      }
    }
  }
  return { key, value: json };
}

/** A dead letter as the bus record it came from; bytes over the size limit are cut and the cut is noted. */
export function deadLetterRecord(letter: DeadLetter, maxBytes = MAX_OUTPUT_BYTES): BusRecord {
  const r: RawRecord & { timestamp?: number } = letter.record;
  const headers: Record<string, string> = {};
  for (const name of Object.keys(r.headers ?? {})) {
    const v = headerText(r.headers, name);
    if (v !== undefined) headers[name] = v;
  }
  let value = r.value;
  if (value.length > maxBytes) {
    headers[DEAD_LETTER_CUT_HEADER] = String(value.length);
    value = value.subarray(0, maxBytes);
  }
  return {
    topic: r.topic ?? '',
    partition: r.partition ?? 0,
    offset: r.offset === undefined ? '' : String(r.offset),
    key: r.key === undefined || r.key === null ? null : typeof r.key === 'string' ? r.key : r.key.toString('utf8'),
    value,
    headers,
    timestamp: r.timestamp ?? Date.now(),
  };
}

/** The dead letters of one batch, in one produce call. */
export async function sendDeadLetters(bus: Bus, topic: string, letters: readonly DeadLetter[]): Promise<void> {
  await deadLetters(bus, topic, letters.map((l) => ({ record: deadLetterRecord(l), reason: l.reason })));
}

/** A metric row on the metrics topic, keyed by rule and key so a compacted topic keeps each series' latest. */
export const rowMessage = (row: MetricRow): BusMessage => ({ key: `${row.ruleId}/${keyText(row.key)}`, value: JSON.stringify(row) });

/** An alert record on the alerts topic, keyed by its fingerprint. */
export const alertMessage = (alert: AlertEvent): BusMessage => ({ key: alert.fingerprint, value: JSON.stringify(alert) });
