// One produce call's records in the form handed to the produce thread: every value in one byte
// buffer that is transferred, not copied, plus the few distinct keys once each. Cloning an array
// of records object by object would cost the bus's thread about what encoding them does.

import type { BusMessage } from './types.js';

export interface PackedMessages {
  /** Every value's bytes, one after another. */
  bytes: Uint8Array;
  /** Where each value ends in `bytes`. */
  ends: Uint32Array;
  /** The distinct keys, and per record the index of its key (-1: no key). */
  keys: string[];
  keyOf: Int32Array;
  /** Per record its headers, only when some record has any. */
  headers?: (Record<string, string> | undefined)[];
}

export function pack(messages: readonly BusMessage[]): PackedMessages {
  const n = messages.length;
  const ends = new Uint32Array(n);
  const keyOf = new Int32Array(n);
  const keys: string[] = [];
  const keyIndex = new Map<string, number>();
  let total = 0;
  let withHeaders = false;
  for (let i = 0; i < n; i++) {
    const m = messages[i]!;
    total += typeof m.value === 'string' ? Buffer.byteLength(m.value) : m.value.length;
    ends[i] = total;
    if (m.key === null || m.key === undefined) keyOf[i] = -1;
    else {
      let k = keyIndex.get(m.key);
      if (k === undefined) keyIndex.set(m.key, (k = keys.push(m.key) - 1));
      keyOf[i] = k;
    }
    if (m.headers) withHeaders = true;
  }
  // Its own memory (not Node's shared pool), so it can be transferred.
  const bytes = Buffer.from(new ArrayBuffer(total));
  let at = 0;
  for (let i = 0; i < n; i++) {
    const v = messages[i]!.value;
    if (typeof v === 'string') bytes.write(v, at, 'utf8');
    else bytes.set(v, at);
    at = ends[i]!;
  }
  return { bytes, ends, keys, keyOf, ...(withHeaders ? { headers: messages.map((m) => m.headers) } : {}) };
}

/** The records again; values are views of the one buffer, not copies. */
export function unpack(p: PackedMessages): BusMessage[] {
  const out: BusMessage[] = new Array(p.ends.length);
  const base = Buffer.from(p.bytes.buffer, p.bytes.byteOffset, p.bytes.byteLength);
  let start = 0;
  for (let i = 0; i < p.ends.length; i++) {
    const end = p.ends[i]!;
    const k = p.keyOf[i]!;
    const headers = p.headers?.[i];
    out[i] = { key: k < 0 ? null : p.keys[k]!, value: base.subarray(start, end), ...(headers ? { headers } : {}) };
    start = end;
  }
  return out;
}

/** The buffers to transfer with a packed call. */
export const transferables = (p: PackedMessages): ArrayBuffer[] => [p.bytes.buffer as ArrayBuffer, p.ends.buffer as ArrayBuffer, p.keyOf.buffer as ArrayBuffer];
