// Positions of file events: (ts, path, byte offset), one total order over all events of a
// logstore that appending lines never disturbs. `pos` strings carry it opaquely between pages.

import { badInput } from '../../src/errors/index.js';
import type { Order } from '../../src/query/types.js';

export interface Key {
  ts: number;
  /** Path relative to the adapter root. */
  path: string;
  off: number;
}

export function compareKeys(a: Key, b: Key): number {
  // Comparisons, not subtraction: lane bounds use ±Infinity.
  if (a.ts !== b.ts) return a.ts < b.ts ? -1 : 1;
  if (a.path !== b.path) return a.path < b.path ? -1 : 1;
  return a.off === b.off ? 0 : a.off < b.off ? -1 : 1;
}

/** Compares in the order of a search: newest first for desc. */
export function orderedCompare(order: Order): (a: Key, b: Key) => number {
  return order === 'asc' ? compareKeys : (a, b) => compareKeys(b, a);
}

const PREFIX = 'f1.';

export function encodePos(k: Key): string {
  return `${PREFIX}${k.ts}.${k.off}.${Buffer.from(k.path).toString('base64url')}`;
}

export function decodePos(pos: string): Key {
  const m = /^f1\.(-?\d+)\.(\d+)\.([A-Za-z0-9_-]*)$/.exec(pos);
  if (!m) throw badInput(`after: expected a position returned by the file adapter (f1.<ts>.<offset>.<path>), got ${JSON.stringify(pos.slice(0, 80))}`);
  return { ts: Number(m[1]), off: Number(m[2]), path: Buffer.from(m[3]!, 'base64url').toString() };
}
