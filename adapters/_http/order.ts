// Keys that order the events of backends without a unique sortable field (loki, sls): the
// timestamp, then hashes that break ties the same way on every page, so a page cut inside a
// run of equal timestamps resumes without a duplicate or a gap.

import { createHash } from 'node:crypto';
import type { Order } from '../../src/query/types.js';

export type KeyPart = bigint | number | string;

export function compareKeys(a: readonly KeyPart[], b: readonly KeyPart[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** Compares in the order of a search: newest first for desc. */
export function orderedKeys(order: Order): (a: readonly KeyPart[], b: readonly KeyPart[]) => number {
  return order === 'asc' ? compareKeys : (a, b) => compareKeys(b, a);
}

/** A short stable digest: 64 bits are plenty to tell apart lines that share a timestamp. */
export function tieHash(text: string): string {
  return createHash('sha1').update(text).digest('hex').slice(0, 16);
}
