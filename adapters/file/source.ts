// One file as an ordered stream of matching events: seeks by time in plain files, streams gzip
// files, reads backwards for newest-first, applies the cursor and the filter while scanning.
// The k-way merge in search.ts pulls from one such lane per file.

import { open } from 'node:fs/promises';
import type { LogEvent } from '../../src/core/event.js';
import type { Order } from '../../src/query/types.js';
import type { EventFormat, ParsedRecord } from './formats.js';
import { BinaryHeap } from '../../src/query/heap.js';
import { compareKeys, type Key } from './position.js';
import { backwardBlocks, forwardBlocks, gzipBlocks, type ReadOptions } from './reader.js';
import { eventText, scanBlock, type Block, type Prefilter } from './scan.js';
import { seekTs } from './seek.js';

export interface FileEntry {
  abs: string;
  /** Path relative to the adapter root: part of every position. */
  rel: string;
  gz: boolean;
  app: string;
  file: string;
  host?: string;
  /** Bounds of the file's timestamps, ±Infinity where unknown. */
  lower: number;
  upper: number;
}

export interface ScanQuery {
  order: Order;
  from: number;
  to: number;
  /** Only events strictly after this key in the search order. */
  after?: Key;
  fmt: EventFormat;
  pre: Prefilter;
  /** Builds the event of a parsed record; the filter below runs on it. */
  make: (rec: ParsedRecord, entry: FileEntry) => LogEvent;
  accept: (event: LogEvent) => boolean;
  /** How many events the whole search needs: a gzip file read newest-first keeps only these. */
  keep: number;
  read: ReadOptions;
}

export interface Found {
  key: Key;
  event: LogEvent;
}

/**
 * Events of the block that match, in file order. Returns false in `stop` once an event at or past
 * `to` was seen in an oldest-first scan, since the file is time-ordered.
 */
function matchBlock(block: Block, entry: FileEntry, q: ScanQuery, out: Found[]): boolean {
  const { fmt, from, to, after } = q;
  const asc = q.order === 'asc';
  let more = true;
  scanBlock(block, fmt, q.pre, (s, e) => {
    if (fmt.cheapTs) {
      const head = fmt.headTs(block.buf, s, e);
      if (head === undefined || head < from) return;
      if (head >= to) {
        if (asc) return (more = false);
        return;
      }
    }
    const rec = fmt.parse(eventText(block.buf, s, e));
    if (!rec || rec.ts < from) return;
    if (rec.ts >= to) {
      if (asc) return (more = false);
      return;
    }
    const key: Key = { ts: rec.ts, path: entry.rel, off: block.base + s };
    if (after) {
      const c = compareKeys(key, after);
      if (asc ? c <= 0 : c >= 0) return;
    }
    const event = q.make(rec, entry);
    if (q.accept(event)) out.push({ key, event });
  });
  return more;
}

export async function* fileEvents(entry: FileEntry, q: ScanQuery): AsyncGenerator<Found> {
  if (entry.gz) yield* q.order === 'asc' ? gzipAsc(entry, q) : gzipDesc(entry, q);
  else yield* plain(entry, q);
}

async function* plain(entry: FileEntry, q: ScanQuery): AsyncGenerator<Found> {
  const fh = await open(entry.abs, 'r');
  try {
    const size = (await fh.stat()).size;
    const { from, to, after, fmt } = q;
    // Seek only where the bounds known for the file do not already settle it.
    const lowTs = q.order === 'asc' && after ? Math.max(from, after.ts) : from;
    const highTs = q.order === 'desc' && after ? Math.min(to, after.ts + 1) : to;
    const start = lowTs <= entry.lower ? 0 : await seekTs(fh, size, fmt, lowTs, q.read.probeBytes);
    const end = highTs > entry.upper ? size : await seekTs(fh, size, fmt, highTs, q.read.probeBytes);
    if (start >= end) return;
    const blocks = q.order === 'asc' ? forwardBlocks(fh, start, end, fmt, q.read) : backwardBlocks(fh, start, end, fmt, q.read);
    for await (const block of blocks) {
      const found: Found[] = [];
      const more = matchBlock(block, entry, q, found);
      if (q.order === 'desc') found.reverse();
      yield* found;
      if (!more) return;
    }
  } finally {
    await fh.close();
  }
}

async function* gzipAsc(entry: FileEntry, q: ScanQuery): AsyncGenerator<Found> {
  for await (const block of gzipBlocks(entry.abs, q.fmt, q.read)) {
    const found: Found[] = [];
    const more = matchBlock(block, entry, q, found);
    yield* found;
    if (!more) return;
  }
}

// A gzip stream cannot be read backwards: read it once, keeping the newest `keep` matches.
async function* gzipDesc(entry: FileEntry, q: ScanQuery): AsyncGenerator<Found> {
  const best = new BinaryHeap<Found>((a, b) => compareKeys(a.key, b.key) < 0);
  for await (const block of gzipBlocks(entry.abs, q.fmt, q.read)) {
    const found: Found[] = [];
    matchBlock(block, entry, q, found);
    for (const f of found) {
      if (best.size < q.keep) best.push(f);
      else if (compareKeys(f.key, best.peek()!.key) > 0) best.replaceTop(f);
    }
  }
  // The heap pops oldest first; the lane yields newest first.
  const kept: Found[] = [];
  while (best.size > 0) kept.push(best.pop()!);
  yield* kept.reverse();
}
