// The file adapter: searches plain and gzip-rotated log files found by a glob, the way an engineer
// would grep them on a jump host, but seeking by time, paging with stable positions and merging
// files by timestamp. It applies every filter itself while scanning.

import { badInput } from '../../src/errors/index.js';
import { counter } from '../../src/observe/metrics.js';
import { compileFilter } from '../../src/query/match.js';
import type { Adapter, EventFilter, SearchPage, SearchRequest, Target } from '../../src/query/types.js';
import type { Logstore } from '../../src/topology/types.js';
import { FULL_CAPABILITIES, measured } from '../_shared/measure.js';
import { throwIfAborted } from './cancel.js';
import { planFiles, ProbeCache, gzipTs } from './files.js';
import type { EventFormat } from './formats.js';
import { LocationCache, parseAdapterConfig, type FileAdapterConfig } from './location.js';
import { mergeTake, type Lane } from './merge.js';
import { decodePos, encodePos } from './position.js';
import type { ReadOptions } from './reader.js';
import type { Prefilter } from './scan.js';
import { fileEvents, type FileEntry, type ScanQuery } from './source.js';

export type { FileAdapterConfig, FileLocation } from './location.js';

export interface CountRequest {
  target: Target;
  filter: EventFilter;
  signal: AbortSignal;
}

export interface FileAdapter extends Adapter {
  /** Counts matching events with the search's scan path, without building a page. */
  count(req: CountRequest): Promise<number>;
}

const bytesRead = counter('logfed_adapter_file_bytes_read_total', 'Bytes the file adapter read from disk');

/**
 * Raw byte strings every matching event must contain: the include keywords and the trace id,
 * where the format guarantees they appear verbatim. The longest is searched first.
 */
export function buildPrefilter(filter: EventFilter, fmt: EventFormat): Prefilter {
  const terms = [...filter.keywords.include];
  if (filter.traceId) terms.push(filter.traceId);
  const raw = terms.filter((t) => t.length > 0 && fmt.rawSafe(t)).sort((a, b) => b.length - a.length);
  const [anchor, ...others] = raw.map((t) => Buffer.from(t, 'utf8'));
  return { anchor, others };
}

export function createFileAdapter(config: FileAdapterConfig = {}): FileAdapter {
  const cfg = parseAdapterConfig(config);
  const root = cfg.root ?? process.cwd();
  const locations = new LocationCache();
  const probes = new ProbeCache();

  const readOptions = (signal: AbortSignal, firstChunkBytes?: number): ReadOptions => ({
    chunkBytes: cfg.chunkBytes,
    firstChunkBytes,
    maxEventBytes: cfg.maxEventBytes,
    probeBytes: cfg.probeBytes,
    signal,
    onBytes: (n) => bytesRead.inc(n),
  });

  const plan = (store: Logstore, read: ReadOptions) => {
    const { glob, fmt } = locations.get(store);
    return planFiles({ root, glob, logstore: store, fmt, cache: probes, read, concurrency: cfg.probeConcurrency }).then((files) => ({ files, fmt }));
  };

  /** The files of the target that can hold matches, and the query to run on each. */
  const prepare = async (req: Omit<SearchRequest, 'limit'> & { limit: number }, firstChunkBytes?: number) => {
    const { target, filter, signal } = req;
    const read = readOptions(signal, firstChunkBytes);
    const { files, fmt } = await plan(target.logstore, read);
    const after = req.after === undefined ? undefined : decodePos(req.after);
    const apps = target.apps?.length ? new Set(target.apps) : undefined;
    const fileNames = target.files?.length ? new Set(target.files) : undefined;
    const matches = compileFilter(filter);
    const q: ScanQuery = {
      order: req.order,
      from: filter.from,
      to: filter.to,
      after,
      fmt,
      pre: buildPrefilter(filter, fmt),
      keep: req.limit + 1,
      read,
      make: (rec, entry) => ({
        ts: rec.ts,
        domain: target.domain,
        env: target.env,
        app: entry.app,
        file: entry.file,
        ...(rec.host ?? entry.host ? { host: rec.host ?? entry.host } : {}),
        ...(rec.level ? { level: rec.level } : {}),
        ...(rec.traceId ? { traceId: rec.traceId } : {}),
        message: rec.message,
        ...(rec.fields ? { fields: rec.fields } : {}),
      }),
      accept: matches,
    };
    const inRange = (e: FileEntry) => {
      if ((apps && !apps.has(e.app)) || (fileNames && !fileNames.has(e.file))) return false;
      if (e.upper < filter.from || e.lower >= filter.to) return false;
      if (after && req.order === 'asc' && e.upper < after.ts) return false;
      if (after && req.order === 'desc' && e.lower > after.ts) return false;
      return true;
    };
    return { q, files: files.filter(inRange) };
  };

  const timed = <T>(fn: () => Promise<T>): Promise<T> => measured('file', fn);

  return {
    kind: 'file',
    capabilities: FULL_CAPABILITIES,

    search: (req: SearchRequest): Promise<SearchPage> =>
      timed(async () => {
        if (!Number.isInteger(req.limit) || req.limit < 0) throw badInput(`limit: expected a whole number >= 0, got ${req.limit}`);
        if (req.order !== 'asc' && req.order !== 'desc') throw badInput(`order: expected "asc" or "desc", got ${JSON.stringify(req.order)}`);
        throwIfAborted(req.signal);
        if (req.filter.from >= req.filter.to) return { hits: [], done: true };
        // Small pages start with small reads; long scans ramp up to full chunks.
        const { q, files } = await prepare(req, 64 * 1024);
        const asc = req.order === 'asc';
        const lanes: Lane[] = files.map((e) => ({
          bound: asc ? { ts: e.lower, path: e.rel, off: -Infinity } : { ts: e.upper, path: e.rel, off: Infinity },
          open: () => fileEvents(e, q),
        }));
        throwIfAborted(req.signal);
        const found = await mergeTake(lanes, req.order, req.limit + 1, req.signal);
        const hits = found.slice(0, req.limit).map((f) => ({ event: f.event, pos: encodePos(f.key) }));
        return { hits, done: found.length <= req.limit };
      }),

    count: (req: CountRequest): Promise<number> =>
      timed(async () => {
        throwIfAborted(req.signal);
        if (req.filter.from >= req.filter.to) return 0;
        const { q, files } = await prepare({ ...req, order: 'asc', limit: Number.MAX_SAFE_INTEGER - 1 });
        let n = 0;
        for (const e of files) for await (const _ of fileEvents(e, q)) n++;
        return n;
      }),

    async timeBounds(store: Logstore, signal: AbortSignal) {
      throwIfAborted(signal);
      const read = readOptions(signal);
      const { files, fmt } = await plan(store, read);
      let minTs: number | undefined;
      let maxTs: number | undefined;
      for (const e of files) {
        if (Number.isFinite(e.lower)) minTs = Math.min(minTs ?? e.lower, e.lower);
        const last = Number.isFinite(e.upper) ? e.upper : e.gz ? await gzipTs(e.abs, fmt, read, true) : undefined;
        if (last !== undefined) maxTs = Math.max(maxTs ?? last, last);
      }
      return { minTs, maxTs };
    },
  };
}

