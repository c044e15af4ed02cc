// The hot path of the file adapter: finds event boundaries in a block of raw bytes and visits the
// events that can match. With an include keyword it jumps between occurrences of that keyword
// (Buffer.indexOf, as grep -F does) and never looks at the lines in between.

import type { EventFormat } from './formats.js';

const NL = 10;

/** Raw-byte necessary conditions: an event can match only if it contains all these byte strings. */
export interface Prefilter {
  /** The term searched for first (the longest include keyword). */
  anchor?: Buffer;
  others: Buffer[];
}

export const NO_PREFILTER: Prefilter = { others: [] };

/** A block of bytes holding whole events in buf[from, to); `base` is the file offset of buf[0]. */
export interface Block {
  buf: Buffer;
  from: number;
  to: number;
  base: number;
}

/** First event start at or after the line start `i`, or `end` when there is none. */
export function nextStart(buf: Buffer, i: number, end: number, fmt: EventFormat): number {
  while (i < end) {
    if (fmt.isStart(buf, i, end)) return i;
    const nl = buf.indexOf(NL, i);
    if (nl < 0 || nl + 1 >= end) return end;
    i = nl + 1;
  }
  return end;
}

/** End of the event that holds byte `i`: the next line that starts an event, or `end`. */
export function eventEnd(buf: Buffer, i: number, end: number, fmt: EventFormat): number {
  let nl = buf.indexOf(NL, i);
  while (nl >= 0 && nl + 1 < end) {
    if (fmt.isStart(buf, nl + 1, end)) return nl + 1;
    nl = buf.indexOf(NL, nl + 1);
  }
  return end;
}

/** Start of the event that holds byte `i`, looking no lower than `floor` (itself an event start). */
export function eventStart(buf: Buffer, i: number, floor: number, fmt: EventFormat, end: number): number {
  let at = i;
  while (at > floor) {
    const nl = buf.lastIndexOf(NL, at - 1);
    const ls = nl < floor ? floor : nl + 1;
    if (ls === floor || fmt.isStart(buf, ls, end)) return ls;
    at = ls - 1;
  }
  return floor;
}

/** The text of an event without its final line break, decoded as UTF-8. */
export function eventText(buf: Buffer, s: number, e: number): string {
  let end = e;
  if (end > s && buf[end - 1] === NL) end--;
  if (end > s && buf[end - 1] === 13) end--;
  return buf.toString('utf8', s, end);
}

function hasAll(buf: Buffer, s: number, e: number, terms: Buffer[]): boolean {
  if (terms.length === 0) return true;
  const view = buf.subarray(s, e);
  for (const t of terms) if (view.indexOf(t) < 0) return false;
  return true;
}

/**
 * Calls visit(start, end) for every event in block.buf[from, to) that holds all prefilter terms,
 * in file order. Lines before the first event start (the tail of an event cut by rotation) are
 * skipped. visit returns false to stop the scan.
 */
export function scanBlock(block: Block, fmt: EventFormat, pre: Prefilter, visit: (s: number, e: number) => boolean | void): void {
  const { buf, to } = block;
  let pos = nextStart(buf, block.from, to, fmt);
  const anchor = pre.anchor;
  if (!anchor) {
    while (pos < to) {
      const e = eventEnd(buf, pos, to, fmt);
      if (hasAll(buf, pos, e, pre.others) && visit(pos, e) === false) return;
      pos = e;
    }
    return;
  }
  const hay = to === buf.length ? buf : buf.subarray(0, to);
  while (pos < to) {
    const hit = hay.indexOf(anchor, pos);
    if (hit < 0) return;
    const s = eventStart(buf, hit, pos, fmt, to);
    const e = eventEnd(buf, hit, to, fmt);
    if (hasAll(buf, s, e, pre.others) && visit(s, e) === false) return;
    pos = e;
  }
}
