// Reads a named field from a log event for grouping, filtering and aggregating. A name is a
// field of the normalised event (app, host, level...) or else a parsed field; "fields.x" always
// means the parsed field. Compiled once per rule so the per-event cost is one property read.

import type { LogEvent } from '../../core/event.js';

const EVENT_FIELDS = new Set(['ts', 'domain', 'env', 'app', 'file', 'host', 'level', 'traceId', 'message']);

export function eventGetter(field: string): (e: LogEvent) => unknown {
  if (EVENT_FIELDS.has(field)) {
    const k = field as keyof LogEvent;
    return (e) => e[k];
  }
  const k = field.startsWith('fields.') ? field.slice(7) : field;
  // Only names that Object.prototype also has need the slower own-property check.
  if (k in Object.prototype) return (e) => (e.fields !== undefined && Object.hasOwn(e.fields, k) ? e.fields[k] : undefined);
  return (e) => e.fields?.[k];
}

/** The text a value contributes to a key or a distinct set; a missing value is "". */
export function textOf(v: unknown): string {
  return typeof v === 'string' ? v : v == null ? '' : String(v);
}
