// Walks a time range of Loki in the requested order, in chunks no longer than the server allows,
// and hands over lines in one total order: (ns, stream hash, line hash). Loki cuts a full answer
// at `limit` lines anywhere inside a run of lines that share a nanosecond, so the lines of that
// last instant are dropped and asked for again whole (on their own when they alone fill an
// answer): a page cut inside a tie resumes without a duplicate or a gap.

import { LogfedError } from '../../src/errors/index.js';
import type { Order } from '../../src/query/types.js';
import { orderedKeys, type KeyPart } from '../_http/order.js';
import type { Entry } from './response.js';

export type Direction = 'forward' | 'backward';

export interface WalkOptions {
  order: Order;
  /** [fromNs, toNs) */
  fromNs: bigint;
  toNs: bigint;
  /** Resume strictly after this key. */
  after?: readonly [bigint, string, string];
  /** Stop once this many lines were taken. */
  need: number;
  rangeNs: bigint;
  /** Lines asked for per request. */
  batch: number;
  /** The most lines one request may ask for; a single instant holding more cannot be paged. */
  maxEntries: number;
  fetch(start: bigint, end: bigint, direction: Direction, limit: number): Promise<Entry[]>;
  /** Takes a line in order; returns whether it counted towards `need`. */
  take(e: Entry): boolean;
}

export const keyOf = (e: Entry): KeyPart[] => [e.ns, e.sh, e.lh];

export async function walk(o: WalkOptions): Promise<void> {
  const asc = o.order === 'asc';
  const cmp = orderedKeys(o.order);
  let lo = asc && o.after ? o.after[0] : o.fromNs;
  let hi = !asc && o.after ? o.after[0] + 1n : o.toNs;
  if (o.after && (o.after[0] < o.fromNs || o.after[0] >= o.toNs)) {
    // A position outside the range: nothing of the range is after it in one order, all of it in the other.
    if (asc ? o.after[0] >= o.toNs : o.after[0] < o.fromNs) return;
    if (asc) lo = o.fromNs;
    else hi = o.toNs;
  }
  let taken = 0;

  const group = async (ns: bigint): Promise<Entry[]> => {
    const all = await o.fetch(ns, ns + 1n, asc ? 'forward' : 'backward', o.maxEntries);
    if (all.length >= o.maxEntries) {
      throw new LogfedError('BACKEND_ERROR', `loki: ${o.maxEntries} or more lines share the instant ${ns} ns; they cannot be paged in order (raise maxEntries with the server's max_entries_limit_per_query)`);
    }
    return all;
  };

  while (taken < o.need && lo < hi) {
    const start = asc ? lo : hi - o.rangeNs > lo ? hi - o.rangeNs : lo;
    const end = asc ? (lo + o.rangeNs < hi ? lo + o.rangeNs : hi) : hi;
    const got = await o.fetch(start, end, asc ? 'forward' : 'backward', o.batch);
    let keep: Entry[];
    let next: bigint;
    if (got.length >= o.batch) {
      // The instant at the far edge may continue past the cut.
      const edge = got.reduce((m, e) => (asc ? (e.ns > m ? e.ns : m) : e.ns < m ? e.ns : m), got[0]!.ns);
      keep = got.filter((e) => e.ns !== edge);
      if (keep.length === 0) {
        keep = await group(edge);
        next = asc ? edge + 1n : edge;
      } else next = asc ? edge : edge + 1n;
    } else {
      keep = got;
      next = asc ? end : start;
    }
    keep.sort((a, b) => cmp(keyOf(a), keyOf(b)));
    for (const e of keep) {
      if (o.after && cmp(keyOf(e), o.after as readonly KeyPart[]) <= 0) continue;
      if (o.take(e) && ++taken >= o.need) return;
    }
    if (asc) lo = next;
    else hi = next;
  }
}
