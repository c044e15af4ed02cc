// Which files a search reads, and what is known of each before reading it: the glob's matches with
// their app/file/host, and the time bounds of each file (first timestamp; last for plain files;
// for rotated gzip files, the first timestamp of the next file of the same rotation chain).

import { open, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Logstore } from '../../src/topology/types.js';
import type { EventFormat } from './formats.js';
import { listGlob, type CompiledGlob } from './glob.js';
import { gzipBlocks, type ReadOptions } from './reader.js';
import { nextStart } from './scan.js';
import { firstTs, lastTs } from './seek.js';
import type { FileEntry } from './source.js';

interface Probe {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  gz: boolean;
  first?: number;
  last?: number;
}

const MAX_CACHED = 20_000;

/** Remembers the probes of files that did not change, so paging does not re-read file heads. */
export class ProbeCache {
  private readonly map = new Map<string, Probe>();

  get(abs: string, s: { dev: number; ino: number; size: number; mtimeMs: number }): Probe | undefined {
    const p = this.map.get(abs);
    if (!p || p.dev !== s.dev || p.ino !== s.ino) return undefined;
    if (p.gz) return p.size === s.size && p.mtimeMs === s.mtimeMs ? p : undefined;
    // A plain file that only grew keeps its first timestamp; its last one is read again.
    if (s.size === p.size) return p;
    return s.size > p.size ? { ...p, size: s.size, mtimeMs: s.mtimeMs, last: undefined } : undefined;
  }

  set(abs: string, p: Probe): void {
    if (this.map.size >= MAX_CACHED) this.map.clear();
    this.map.set(abs, p);
  }
}

async function isGzip(abs: string): Promise<boolean> {
  const fh = await open(abs, 'r');
  try {
    const b = Buffer.alloc(2);
    await fh.read(b, 0, 2, 0);
    return b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/** First (or, with `last`, last) event timestamp of a gzip file, decompressing as little as needed. */
export async function gzipTs(abs: string, fmt: EventFormat, read: ReadOptions, last = false): Promise<number | undefined> {
  let ts: number | undefined;
  for await (const block of gzipBlocks(abs, fmt, read)) {
    // Walk event starts; the first one decides unless we want the last.
    for (let p = nextStart(block.buf, block.from, block.to, fmt); p < block.to; ) {
      const t = fmt.headTs(block.buf, p, block.to);
      if (t !== undefined) {
        ts = t;
        if (!last) return ts;
      }
      const nl = block.buf.indexOf(10, p);
      if (nl < 0 || nl + 1 >= block.to) break;
      p = nextStart(block.buf, nl + 1, block.to, fmt);
    }
  }
  return ts;
}

async function probe(abs: string, fmt: EventFormat, cache: ProbeCache, read: ReadOptions): Promise<Probe | undefined> {
  let s;
  try {
    s = await stat(abs);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // rotated away meanwhile
    throw err;
  }
  if (s.size === 0) return undefined;
  const stats = { dev: s.dev, ino: s.ino, size: s.size, mtimeMs: s.mtimeMs };
  const hit = cache.get(abs, stats);
  if (hit && (hit.gz || hit.last !== undefined)) return hit;
  const gz = hit?.gz ?? (await isGzip(abs));
  const p: Probe = { ...stats, gz, first: hit?.first };
  if (gz) p.first = await gzipTs(abs, fmt, read);
  else {
    const fh = await open(abs, 'r');
    try {
      p.first ??= await firstTs(fh, s.size, fmt);
      p.last = await lastTs(fh, s.size, fmt);
    } finally {
      await fh.close();
    }
  }
  cache.set(abs, p);
  return p;
}

// app.log, app.log.1, app.log.2.gz, app.log.2026-11-20.gz, app.log.2026-11-20.3.gz: one chain.
const ROTATION_SUFFIX = /(?:\.\d{4}-\d{2}-\d{2}(?:[._-]\d+)?|\.\d+)?(?:\.gz)?$/;

async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export interface PlanOptions {
  root: string;
  glob: CompiledGlob;
  logstore: Logstore;
  fmt: EventFormat;
  cache: ProbeCache;
  read: ReadOptions;
  concurrency: number;
}

/** The files of a logstore with their app/file/host and time bounds, sorted by path. */
export async function planFiles(o: PlanOptions): Promise<FileEntry[]> {
  const matches = await listGlob(o.root, o.glob);
  const probes = await mapLimit(matches, o.concurrency, (m) => probe(m.abs, o.fmt, o.cache, o.read));
  const entries: FileEntry[] = [];
  const chains = new Map<string, FileEntry[]>();
  matches.forEach((m, i) => {
    const p = probes[i];
    if (!p) return;
    const entry: FileEntry = {
      abs: m.abs,
      rel: m.rel,
      gz: p.gz,
      app: m.captures.app ?? o.logstore.app ?? '',
      file: m.captures.file ?? o.logstore.file ?? basename(m.rel).split('.')[0]!,
      host: m.captures.host,
      lower: p.first ?? -Infinity,
      upper: p.gz ? Infinity : (p.last ?? Infinity),
    };
    entries.push(entry);
    const chain = `${dirname(m.rel)}/${basename(m.rel).replace(ROTATION_SUFFIX, '')}`;
    if (p.first !== undefined) chains.set(chain, [...(chains.get(chain) ?? []), entry]);
  });
  // In a rotation chain each file ends no later than the next one begins.
  for (const chain of chains.values()) {
    chain.sort((a, b) => a.lower - b.lower);
    for (let i = 0; i + 1 < chain.length; i++) chain[i]!.upper = Math.min(chain[i]!.upper, chain[i + 1]!.lower);
  }
  return entries;
}
