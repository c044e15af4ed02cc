// Seeking by time in a plain, time-ordered file: a binary search over byte offsets finds the first
// event at or after a timestamp in a few small reads, so a search over the last minutes of a
// gigabyte file never reads the rest. Also the first and last timestamps of a file.

import type { FileHandle } from 'node:fs/promises';
import type { EventFormat } from './formats.js';

const NL = 10;
export const PROBE_BYTES = 16 * 1024;

export interface Head {
  /** File offset of the event's first line. */
  off: number;
  ts: number;
}

/**
 * Event starts with a readable timestamp at line starts at or after `at`, in file order. Each read
 * begins at a line start, so the start test always sees whole lines.
 */
export async function* heads(fh: FileHandle, at: number, size: number, fmt: EventFormat, chunk = PROBE_BYTES): AsyncGenerator<Head> {
  let pos = at === 0 ? 0 : at - 1;
  let aligned = at === 0;
  let want = chunk;
  while (pos < size) {
    const len = Math.min(want, size - pos);
    const buf = Buffer.allocUnsafe(len);
    const { bytesRead } = await fh.read(buf, 0, len, pos);
    if (bytesRead === 0) return;
    const eof = pos + bytesRead >= size;
    let p = 0;
    if (!aligned) {
      const nl = buf.indexOf(NL);
      if (nl < 0 || nl >= bytesRead) {
        pos += bytesRead;
        continue;
      }
      p = nl + 1;
      aligned = true;
    }
    let consumed = p;
    while (p < bytesRead) {
      const nl = buf.indexOf(NL, p);
      const end = nl < 0 || nl >= bytesRead ? (eof ? bytesRead : -1) : nl;
      if (end < 0) break; // a line cut by the read: read again from its start
      if (fmt.isStart(buf, p, end)) {
        const ts = fmt.headTs(buf, p, end);
        if (ts !== undefined) yield { off: pos + p, ts };
      }
      p = end + 1;
      consumed = p;
    }
    // A line longer than the read: read more at once.
    want = consumed === 0 ? want * 2 : chunk;
    pos += consumed;
  }
}

async function firstHead(fh: FileHandle, at: number, size: number, fmt: EventFormat, probe = PROBE_BYTES): Promise<Head | undefined> {
  const it = heads(fh, at, size, fmt, probe);
  try {
    const r = await it.next();
    return r.done ? undefined : r.value;
  } finally {
    await it.return(undefined);
  }
}

/** Offset of the first event whose timestamp is >= ts, or `size` when there is none. */
export async function seekTs(fh: FileHandle, size: number, fmt: EventFormat, ts: number, probe = PROBE_BYTES): Promise<number> {
  let lo = 0;
  let hi = size;
  // Invariant: every event starting before lo is older than ts.
  while (hi - lo > probe) {
    const mid = lo + Math.floor((hi - lo) / 2);
    const h = await firstHead(fh, mid, hi, fmt, probe);
    if (!h || h.off >= hi) hi = mid;
    else if (h.ts >= ts) hi = h.off;
    else lo = h.off + 1;
  }
  for await (const h of heads(fh, lo, size, fmt, probe)) if (h.ts >= ts) return h.off;
  return size;
}

/** Timestamp of the first event of a plain file. */
export async function firstTs(fh: FileHandle, size: number, fmt: EventFormat): Promise<number | undefined> {
  return (await firstHead(fh, 0, size, fmt))?.ts;
}

/** Timestamp of the last event of a plain file, read from its tail. */
export async function lastTs(fh: FileHandle, size: number, fmt: EventFormat): Promise<number | undefined> {
  for (let back = PROBE_BYTES; ; back *= 2) {
    const at = Math.max(0, size - back);
    let last: Head | undefined;
    for await (const h of heads(fh, at, size, fmt)) last = h;
    if (last || at === 0) return last?.ts;
  }
}
