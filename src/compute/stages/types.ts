// Shapes the compute stages share: the raw record a bus hands in, a dead letter, the rejection a
// stage returns instead of throwing, and reading/writing an event field by the name rules use.

import type { LogEvent } from '../../core/event.js';

export type HeaderValue = Buffer | string | (Buffer | string)[] | undefined;

/** One record as a bus delivers it (kafkajs shape, without a bus dependency). */
export interface RawRecord {
  value: Buffer;
  key?: Buffer | string | null;
  headers?: Record<string, HeaderValue>;
  topic?: string;
  partition?: number;
  offset?: string | number;
}

/** A record the pipeline could not turn into events: the original bytes and why. */
export interface DeadLetter {
  record: RawRecord;
  reason: string;
}

/**
 * What a stage returns for bad input instead of throwing: throwing per record is slow and easy to
 * get wrong. A class, so a parsed JSON body that happens to have a `rejected` key is never taken for one.
 */
export class Rejected {
  constructor(
    readonly rejected: string,
    /** A short stable name for counting (invalidUtf8, binary, unrecognised...). */
    readonly code: string,
  ) {}
}

export const reject = (reason: string, code: string): Rejected => new Rejected(reason, code);

export function isRejected(value: unknown): value is Rejected {
  return value instanceof Rejected;
}

/** Metadata fields the pipeline adds; they start with `_` so they never clash with parsed fields. */
export const META = { type: '_type', truncated: '_truncated' } as const;

export const SLOTS = ['ts', 'level', 'traceId', 'host', 'message', 'domain', 'env', 'app', 'file'] as const;
export type Slot = (typeof SLOTS)[number];
const SLOT_SET: ReadonlySet<string> = new Set(SLOTS);

export function headerText(headers: RawRecord['headers'], name: string): string | undefined {
  const v = headers?.[name];
  const one = Array.isArray(v) ? v[0] : v;
  if (one === undefined) return undefined;
  return typeof one === 'string' ? one : one.toString('utf8');
}

/** Reads a (possibly dotted) path inside an object; a flat key that contains dots wins. */
export function readPath(obj: Record<string, unknown> | undefined, path: string): unknown {
  if (obj === undefined) return undefined;
  const direct = obj[path];
  if (direct !== undefined || !path.includes('.')) return direct;
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** An event field by rule name: a slot, `fields.x` for a field named like a slot, or a key of fields. */
export function getField(event: LogEvent, name: string): unknown {
  return fieldGetter(name)(event);
}

export function setField(event: LogEvent, name: string, value: unknown): void {
  fieldSetter(name)(event, value);
}

/** The reader of one field name, resolved once when a rule is compiled rather than per event. */
export function fieldGetter(name: string): (event: LogEvent) => unknown {
  if (SLOT_SET.has(name)) return (e) => e[name as Slot];
  const key = name.startsWith('fields.') ? name.slice(7) : name;
  if (!key.includes('.')) return (e) => e.fields?.[key];
  return (e) => readPath(e.fields, key);
}

/** The writer of one field name; slots get the type they hold, other names a key of fields. */
export function fieldSetter(name: string): (event: LogEvent, value: unknown) => void {
  if (SLOT_SET.has(name)) return (e, v) => setSlot(e, name as Slot, v);
  const key = name.startsWith('fields.') ? name.slice(7) : name;
  return (e, v) => {
    (e.fields ??= {})[key] = v;
  };
}

function setSlot(event: LogEvent, slot: Slot, value: unknown): void {
  if (slot === 'ts') {
    const n = typeof value === 'number' ? value : Number(value);
    if (Number.isFinite(n)) event.ts = n;
    return;
  }
  const text = value === undefined || value === null ? undefined : String(value);
  if (slot === 'message' || slot === 'domain' || slot === 'env' || slot === 'app' || slot === 'file') event[slot] = text ?? '';
  else event[slot] = text;
}

/** A field value as text for matching; objects and missing values are not text. */
export function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return undefined;
}
