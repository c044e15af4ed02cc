// Reads Loki's answers: the `streams` result of query_range and the messages of the tail
// WebSocket, as documented for /loki/api/v1/query_range and /loki/api/v1/tail. Each line keeps
// its nanosecond timestamp and the hashes that order lines sharing it.

import { LogfedError } from '../../src/errors/index.js';
import { tieHash } from '../_http/order.js';

export interface Entry {
  ns: bigint;
  line: string;
  labels: Record<string, string>;
  /** Hash of the stream's labels, then of the line: Loki keeps one copy of a line per stream and instant. */
  sh: string;
  lh: string;
}

interface Stream {
  stream?: Record<string, string>;
  values?: Array<[string, string, { structuredMetadata?: Record<string, string>; parsed?: Record<string, string> }?]>;
}

export function streamHash(labels: Record<string, string>): string {
  return tieHash(
    Object.keys(labels)
      .sort()
      .map((k) => `${k}=${JSON.stringify(labels[k])}`)
      .join(','),
  );
}

/** The entries of a list of streams; structured metadata (Loki 3, categorised labels) counts as labels. */
export function entriesOf(streams: Stream[] | undefined, what: string): Entry[] {
  const out: Entry[] = [];
  for (const s of streams ?? []) {
    const base = s.stream ?? {};
    const baseHash = streamHash(base);
    for (const v of s.values ?? []) {
      if (!Array.isArray(v) || typeof v[0] !== 'string' || typeof v[1] !== 'string' || !/^\d+$/.test(v[0])) {
        throw new LogfedError('BACKEND_ERROR', `${what}: a stream value is not ["<ns>", "<line>"]: ${JSON.stringify(v).slice(0, 120)}`);
      }
      const meta = v[2] ? { ...v[2].structuredMetadata, ...v[2].parsed } : undefined;
      const labels = meta && Object.keys(meta).length ? { ...base, ...meta } : base;
      out.push({ ns: BigInt(v[0]), line: v[1], labels, sh: labels === base ? baseHash : streamHash(labels), lh: tieHash(v[1]) });
    }
  }
  return out;
}

export function parseQueryRange(text: string, what: string): Entry[] {
  let body: { status?: string; data?: { resultType?: string; result?: Stream[] }; error?: string };
  try {
    body = JSON.parse(text);
  } catch {
    throw new LogfedError('BACKEND_ERROR', `${what}: the answer is not JSON: ${text.slice(0, 200)}`);
  }
  if (body.status !== 'success') throw new LogfedError('BACKEND_ERROR', `${what}: status ${JSON.stringify(body.status)}: ${body.error ?? ''}`);
  if (body.data?.resultType !== 'streams') {
    throw new LogfedError('BAD_CONFIG', `${what}: expected log lines (resultType streams), got ${JSON.stringify(body.data?.resultType)}: location.selector must be a stream selector, not a metric query`);
  }
  return entriesOf(body.data.result, what);
}

export interface TailMessage {
  entries: Entry[];
  dropped: number;
}

export function parseTailMessage(text: string, what: string): TailMessage {
  let body: { streams?: Stream[]; dropped_entries?: unknown[] | null };
  try {
    body = JSON.parse(text);
  } catch {
    throw new LogfedError('BACKEND_ERROR', `${what}: a tail message is not JSON: ${text.slice(0, 200)}`);
  }
  return { entries: entriesOf(body.streams, what), dropped: body.dropped_entries?.length ?? 0 };
}
