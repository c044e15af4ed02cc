// Reads a named field from a log event for grouping, filtering and aggregating. A name is a
// field of the normalised event (app, host, level...) or else a parsed field; "fields.x" always
// means the parsed field. Resolved once per rule: a getter closure for filters and kernels, or
// a FieldRef that the aggregator's per-event loop reads with readField, without a call per field.

import type { LogEvent } from '../../core/event.js';

const EVENT_FIELDS = new Set(['ts', 'domain', 'env', 'app', 'file', 'host', 'level', 'traceId', 'message']);

/** Where a field lives: on the event itself, among the parsed fields, or among them as an own property only. */
export const FIELD_AT = { event: 0, parsed: 1, parsedOwn: 2 } as const;

export interface FieldRef {
  at: number;
  name: string;
}

export function fieldRef(field: string): FieldRef {
  if (EVENT_FIELDS.has(field)) return { at: FIELD_AT.event, name: interned(field) };
  const k = field.startsWith('fields.') ? field.slice(7) : field;
  // Only names that Object.prototype also has need the slower own-property check.
  return { at: k in Object.prototype ? FIELD_AT.parsedOwn : FIELD_AT.parsed, name: interned(k) };
}

export function readField(e: LogEvent, at: number, name: string): unknown {
  if (at === FIELD_AT.event) return (e as unknown as Record<string, unknown>)[name];
  const f = e.fields;
  if (f === undefined) return undefined;
  return at === FIELD_AT.parsed || Object.hasOwn(f, name) ? f[name] : undefined;
}

export function eventGetter(field: string): (e: LogEvent) => unknown {
  const { at, name } = fieldRef(field);
  if (at === FIELD_AT.event) return (e) => (e as unknown as Record<string, unknown>)[name];
  if (at === FIELD_AT.parsedOwn) return (e) => (e.fields !== undefined && Object.hasOwn(e.fields, name) ? e.fields[name] : undefined);
  return (e) => e.fields?.[name];
}

/** The text a value contributes to a key or a distinct set; a missing value is "". */
export function textOf(v: unknown): string {
  return typeof v === 'string' ? v : v == null ? '' : String(v);
}

// A property read by a computed name is cheapest when the name is an internalized string, as
// the names in source code are; a name sliced or parsed from a rule is not until made a key.
function interned(name: string): string {
  return Object.keys({ [name]: 0 })[0]!;
}
