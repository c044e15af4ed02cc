// Reads a file as blocks of whole events: forward through a plain region (one read always in
// flight, so the disk and the scan overlap), forward through a gzip stream, and backward through
// a plain region for newest-first searches. Memory stays at a few chunks whatever the file size.

import { createReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { cancelled } from './cancel.js';
import type { EventFormat } from './formats.js';
import type { Block } from './scan.js';

const NL = 10;

export interface ReadOptions {
  /** The largest read; reads start at firstChunkBytes and double up to it (readahead ramp). */
  chunkBytes: number;
  firstChunkBytes?: number;
  /** An event longer than this is cut; its remaining lines are dropped as orphans. */
  maxEventBytes: number;
  /** Bytes per step of a binary search by time. */
  probeBytes?: number;
  signal: AbortSignal;
  /** Counts bytes read, for metrics. */
  onBytes?: (n: number) => void;
}

interface Chunk {
  buf: Buffer;
  len: number;
  base: number;
}

async function* plainChunks(fh: FileHandle, start: number, end: number, o: ReadOptions): AsyncGenerator<Chunk> {
  // Two buffers alternate: one is being scanned while the next read fills the other.
  const bufs: Buffer[] = [];
  let size = Math.min(o.firstChunkBytes ?? o.chunkBytes, o.chunkBytes);
  let k = 0;
  let pos = start;
  const readInto = (at: number) => {
    if (!bufs[k] || bufs[k]!.length < size) bufs[k] = Buffer.allocUnsafe(size);
    return fh.read(bufs[k]!, 0, Math.min(size, end - at), at);
  };
  let pending: ReturnType<typeof readInto> | undefined = pos < end ? readInto(pos) : undefined;
  try {
    while (pending) {
      const { bytesRead, buffer } = await pending;
      pending = undefined;
      if (bytesRead === 0) return;
      if (o.signal.aborted) throw cancelled(o.signal);
      o.onBytes?.(bytesRead);
      const base = pos;
      pos += bytesRead;
      k ^= 1;
      size = Math.min(size * 2, o.chunkBytes);
      if (pos < end) pending = readInto(pos);
      yield { buf: buffer, len: bytesRead, base };
    }
  } finally {
    // The handle is closed by the caller once we return; let an in-flight read finish first.
    await pending?.catch(() => undefined);
  }
}

async function* gzipChunks(path: string, o: ReadOptions): AsyncGenerator<Chunk> {
  const raw = createReadStream(path, { highWaterMark: 256 * 1024 });
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  raw.on('error', (err) => gunzip.destroy(err));
  raw.on('data', (d: string | Buffer) => o.onBytes?.(d.length));
  raw.pipe(gunzip);
  let base = 0;
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      if (o.signal.aborted) throw cancelled(o.signal);
      yield { buf: chunk, len: chunk.length, base };
      base += chunk.length;
    }
  } finally {
    raw.destroy();
    gunzip.destroy();
  }
}

/**
 * Turns chunks into blocks of whole events without copying a chunk: only the event that straddles
 * two chunks is copied. A line cut at a chunk's end is always carried whole to the next chunk, so
 * the event-start test never sees half a timestamp.
 */
async function* assemble(chunks: AsyncIterable<Chunk>, fmt: EventFormat, o: ReadOptions): AsyncGenerator<Block> {
  let carry: Buffer | undefined;
  let carryBase = 0;
  for await (const { buf, len, base } of chunks) {
    const lastNl = buf.lastIndexOf(NL, len - 1);
    const complete = lastNl + 1;
    const lineStart0 = !carry || carry[carry.length - 1] === NL;
    // Chunk buffers are reused, so bytes past `complete` may be stale: every search is bounded by it.
    let first = -1;
    let p = lineStart0 ? 0 : buf.indexOf(NL) + 1;
    if (!lineStart0 && (p === 0 || p >= complete)) p = -1;
    while (p >= 0 && p < complete) {
      if (fmt.isStart(buf, p, complete)) {
        first = p;
        break;
      }
      const nl = buf.indexOf(NL, p);
      p = nl < 0 || nl + 1 >= complete ? -1 : nl + 1;
    }
    // The last event start, found walking back from the end: cheaper than visiting every line.
    let last = first;
    for (let q = lastNl - 1; first >= 0 && q >= first; ) {
      const i = buf.lastIndexOf(NL, q);
      if (i + 1 <= first) break;
      if (fmt.isStart(buf, i + 1, complete)) {
        last = i + 1;
        break;
      }
      q = i - 1;
    }
    if (first < 0) {
      const grown = carry ? Buffer.concat([carry, buf.subarray(0, len)]) : Buffer.from(buf.subarray(0, len));
      if (!carry) carryBase = base;
      if (grown.length > o.maxEventBytes) {
        yield { buf: grown, from: 0, to: grown.length, base: carryBase };
        carry = undefined;
      } else carry = grown;
      continue;
    }
    if (carry) {
      const head = Buffer.concat([carry, buf.subarray(0, first)]);
      yield { buf: head, from: 0, to: head.length, base: carryBase };
    }
    if (last > first) yield { buf, from: first, to: last, base };
    carry = Buffer.from(buf.subarray(last, len));
    carryBase = base + last;
  }
  if (carry && carry.length > 0) yield { buf: carry, from: 0, to: carry.length, base: carryBase };
}

/** Blocks of a plain file region [start, end) in file order; `start` must begin a line. */
export function forwardBlocks(fh: FileHandle, start: number, end: number, fmt: EventFormat, o: ReadOptions): AsyncGenerator<Block> {
  return assemble(plainChunks(fh, start, end, o), fmt, o);
}

/** Blocks of a gzip file in file order; offsets are offsets in the uncompressed stream. */
export function gzipBlocks(path: string, fmt: EventFormat, o: ReadOptions): AsyncGenerator<Block> {
  return assemble(gzipChunks(path, o), fmt, o);
}

/**
 * Blocks of a plain region [start, end) from the end backwards; within a block events are in file
 * order. `start` and `end` must be event boundaries. A block grows until it holds an event start.
 */
export async function* backwardBlocks(fh: FileHandle, start: number, end: number, fmt: EventFormat, o: ReadOptions): AsyncGenerator<Block> {
  let hi = end;
  while (hi > start) {
    let size = o.chunkBytes;
    for (;;) {
      if (o.signal.aborted) throw cancelled(o.signal);
      const lo = Math.max(start, hi - size);
      // One byte before lo tells whether lo itself begins a line.
      const readFrom = lo > start ? lo - 1 : lo;
      const buf = Buffer.allocUnsafe(hi - readFrom);
      const { bytesRead } = await fh.read(buf, 0, buf.length, readFrom);
      o.onBytes?.(bytesRead);
      const len = bytesRead;
      let from = lo === start ? 0 : -1;
      for (let nl = from < 0 ? buf.indexOf(NL) : -1; from < 0 && nl >= 0 && nl + 1 < len; nl = buf.indexOf(NL, nl + 1)) {
        if (fmt.isStart(buf, nl + 1, len)) from = nl + 1;
      }
      if (from < 0 && size < o.maxEventBytes && lo > start) {
        size *= 2;
        continue;
      }
      if (from < 0) {
        // An event longer than the cap: keep its tail as orphan lines and move on.
        const nl = buf.indexOf(NL);
        from = nl < 0 || nl + 1 >= len ? len : nl + 1;
      }
      yield { buf: len === buf.length ? buf : buf.subarray(0, len), from, to: len, base: readFrom };
      hi = readFrom + from;
      break;
    }
  }
}
