// First stage of the compute core: raw record bytes -> text. Refuses binary data and invalid
// UTF-8 with a reason (they become dead letters), cuts lines over the size cap on a character
// boundary and flags them, and reads JSON bodies that must be objects.

import { isUtf8 } from 'node:buffer';
import { reject, type Rejected } from './types.js';

export interface DecodeOptions {
  /** Longest record kept, in bytes (default 1 MiB). */
  maxBytes: number;
  /** Over the cap: keep the first maxBytes and flag the event, or refuse the record. */
  oversize: 'truncate' | 'reject';
  /** Share of control bytes in the first 4 KiB above which a record is binary (default 0.1). */
  maxControlShare: number;
}

export const DEFAULT_DECODE: DecodeOptions = { maxBytes: 1024 * 1024, oversize: 'truncate', maxControlShare: 0.1 };

export interface Decoded {
  text: string;
  truncated: boolean;
}

const SAMPLE = 4096;

export function decode(value: Buffer, opts: DecodeOptions = DEFAULT_DECODE): Decoded | Rejected {
  let start = value.length >= 3 && value[0] === 0xef && value[1] === 0xbb && value[2] === 0xbf ? 3 : 0;
  let end = value.length;
  let truncated = false;
  if (end - start > opts.maxBytes) {
    if (opts.oversize === 'reject') return reject(`record is ${value.length} bytes; the limit is ${opts.maxBytes}`, 'oversize');
    end = start + opts.maxBytes;
    // Back off to the start of a character so the cut never makes valid UTF-8 invalid.
    while (end > start && (value[end]! & 0xc0) === 0x80) end--;
    truncated = true;
  }
  const nul = value.indexOf(0, start);
  if (nul !== -1 && nul < end) return reject(`binary data: NUL byte at offset ${nul}`, 'binary');
  const body = start === 0 && end === value.length ? value : value.subarray(start, end);
  if (!isUtf8(body)) return binary(value, start, end, opts) ?? reject(`invalid UTF-8 at byte ${start + firstInvalidUtf8(body)}`, 'invalidUtf8');
  while (end > start && (value[end - 1] === 0x0a || value[end - 1] === 0x0d)) end--;
  const text = start === 0 && end === value.length ? value.toString('utf8') : value.toString('utf8', start, end);
  // Counting control bytes costs a loop per byte; a native match says whether there are any first.
  if (!NO_CONTROL.test(text.length > SAMPLE ? text.slice(0, SAMPLE) : text)) {
    const refused = binary(value, start, end, opts);
    if (refused) return refused;
  }
  return { text, truncated };
}

/**
 * Text free of the control characters that do not occur in logs (tab, newlines, form feed and ESC
 * do). Anchored and negated, because V8 matches that in one pass where a search restarts per position.
 */
const NO_CONTROL = /^[^\x01-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]*$/;

function binary(value: Buffer, start: number, end: number, opts: DecodeOptions): Rejected | undefined {
  const share = controlShare(value, start, Math.min(end, start + SAMPLE));
  if (share <= opts.maxControlShare) return undefined;
  return reject(`binary data: ${Math.round(share * 100)}% control bytes in the first ${Math.min(end - start, SAMPLE)} bytes`, 'binary');
}

function controlShare(buf: Buffer, from: number, to: number): number {
  if (to <= from) return 0;
  let control = 0;
  for (let i = from; i < to; i++) {
    const b = buf[i]!;
    // Tab, newline, carriage return, form feed and ESC (colour codes) are normal in log text.
    if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1b) || b === 0x7f) control++;
  }
  return control / (to - from);
}

/** Offset of the first byte that breaks UTF-8 (only called once a record is known to be invalid). */
export function firstInvalidUtf8(buf: Uint8Array): number {
  let i = 0;
  while (i < buf.length) {
    const b = buf[i]!;
    let need: number;
    let min: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = buf[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return buf.length;
}

const JSON_START = new Set([...'{["-0123456789tfn'].map((c) => c.charCodeAt(0)));

/** Parses a JSON body that must be an object; arrays, strings, numbers and broken JSON are refused. */
export function decodeJsonObject(text: string): Record<string, unknown> | Rejected {
  // Text that cannot start any JSON value is refused without JSON.parse: a thrown SyntaxError
  // costs microseconds, and identification asks this of every line when a JSON type is tried.
  const at = text.search(/\S/);
  if (at === -1 || !JSON_START.has(text.charCodeAt(at))) {
    return reject(`not valid JSON: ${at === -1 ? 'empty text' : `unexpected ${JSON.stringify(text[at])} at position ${at}`}`, 'invalidJson');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return reject(`not valid JSON: ${(err as Error).message}`, 'invalidJson');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return reject(`JSON is not an object (got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value})`, 'jsonNotObject');
  }
  return value as Record<string, unknown>;
}
