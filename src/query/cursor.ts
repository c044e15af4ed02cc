// Relay cursors for federated pages. A cursor holds, per target, the position of the last hit
// consumed into a page (or of the last row scanned past when all its matches were consumed) and
// whether the target is exhausted (read to its end; its position is kept, as a live ascending
// query reads it again from there), plus the resolved time range and a fingerprint of the query.
// Text form: base64url JSON ({"v":1,...}), deflated with a leading "z" once it grows large.
//
// It also holds the boundary: the (ts, target id) of its edge. A target that was read but had
// nothing consumed holds nothing before the boundary, so it resumes after it; events that arrive
// later before the boundary (newer ones, in desc order) do not slip into later pages out of
// order. Targets that could not be read (failed, timed out, circuit open) are listed as unbounded
// and resume from their own position or their start: late rather than lost.
//
// A search ranked into batches (rank.ts) also carries its batches: the target ids of each batch
// opened so far, whether the next page opens the next batch, and whether its batch-1 outcome
// was settled (batches.ts).

import { createHash } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { z } from 'zod';
import { badInput } from '../errors/index.js';
import type { CursorBatches } from './batches.js';

export const CURSOR_VERSION = 1;
/** JSON longer than this is deflated: positions of many targets compress well (shared prefixes). */
const DEFLATE_OVER = 2048;
const MAX_CURSOR_CHARS = 1 << 20;

/** Where a target resumes: after `pos`, whose row has time `ts`. */
export interface Position {
  pos: string;
  ts: number;
}

export interface Boundary {
  ts: number;
  id: string;
}

export interface CursorState {
  range: { from: number; to: number };
  positions: Map<string, Position>;
  exhausted: Set<string>;
  boundary?: Boundary;
  unbounded: Set<string>;
  batches?: CursorBatches;
}

const wire = z
  .object({
    v: z.number(),
    f: z.string(),
    r: z.tuple([z.number(), z.number()]),
    p: z.record(z.tuple([z.string(), z.number()])),
    x: z.array(z.string()),
    b: z.tuple([z.number(), z.string()]).optional(),
    u: z.array(z.string()).optional(),
    k: z
      .object({ o: z.array(z.array(z.string())).min(1), n: z.literal(1).optional(), j: z.literal(1).optional() })
      .strict()
      .optional(),
  })
  .strict();

export function encodeCursor(fingerprint: string, state: CursorState): string {
  const p: Record<string, [string, number]> = {};
  for (const [id, at] of state.positions) p[id] = [at.pos, at.ts];
  const wireState: z.infer<typeof wire> = { v: CURSOR_VERSION, f: fingerprint, r: [state.range.from, state.range.to], p, x: [...state.exhausted] };
  if (state.boundary) wireState.b = [state.boundary.ts, state.boundary.id];
  if (state.unbounded.size) wireState.u = [...state.unbounded];
  if (state.batches) {
    const { opened, next, judged } = state.batches;
    wireState.k = { o: opened, ...(next ? { n: 1 as const } : {}), ...(judged ? { j: 1 as const } : {}) };
  }
  const json = JSON.stringify(wireState);
  const buf = Buffer.from(json, 'utf8');
  // Level 1: a page encodes up to `first` cursors, and the fastest level already shrinks them ~6x.
  return buf.length > DEFLATE_OVER ? 'z' + deflateRawSync(buf, { level: 1 }).toString('base64url') : buf.toString('base64url');
}

/** Reads `after`; a cursor that is malformed or belongs to another query is the caller's mistake. */
export function decodeCursor(text: string, fingerprint: string): CursorState {
  const notOurs = (why: string) => badInput(`after is not a cursor of this query: ${why}`, { argument: 'after' });
  if (text.length > MAX_CURSOR_CHARS) throw notOurs(`it is ${text.length} characters long`);
  let parsed: unknown;
  try {
    const raw = text.startsWith('z')
      ? inflateRawSync(Buffer.from(text.slice(1), 'base64url'), { maxOutputLength: 16 * MAX_CURSOR_CHARS })
      : Buffer.from(text, 'base64url');
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw notOurs('it does not decode');
  }
  const res = wire.safeParse(parsed);
  if (!res.success) throw notOurs('its content is not a cursor');
  const c = res.data;
  if (c.v !== CURSOR_VERSION) throw notOurs(`version ${c.v} is not supported (expected ${CURSOR_VERSION})`);
  if (c.f !== fingerprint) throw notOurs('it was issued for a different query (domains, filters, range or order changed)');
  return {
    range: { from: c.r[0], to: c.r[1] },
    positions: new Map(Object.entries(c.p).map(([id, [pos, ts]]) => [id, { pos, ts }])),
    exhausted: new Set(c.x),
    ...(c.b ? { boundary: { ts: c.b[0], id: c.b[1] } } : {}),
    unbounded: new Set(c.u ?? []),
    ...(c.k ? { batches: { opened: c.k.o, next: c.k.n === 1, judged: c.k.j === 1 } } : {}),
  };
}

/**
 * The part of the query range a target still has to read on a resumed page. With a position:
 * its ts and beyond (rows before it were consumed). Without one: what comes after the boundary,
 * unless the target is unbounded; at the boundary's ts, targets whose id sorts before the
 * boundary's came before it. Undefined when nothing is left.
 */
export function resumeRange(
  range: { from: number; to: number },
  order: 'asc' | 'desc',
  state: CursorState | undefined,
  id: string,
): { from: number; to: number } | undefined {
  const at = state?.positions.get(id);
  const boundary = state && !state.unbounded.has(id) ? state.boundary : undefined;
  const edge = at ? { ts: at.ts, inclusive: true } : boundary ? { ts: boundary.ts, inclusive: id > boundary.id } : undefined;
  let { from, to } = range;
  if (edge && order === 'desc') to = Math.min(to, edge.inclusive ? edge.ts + 1 : edge.ts);
  if (edge && order === 'asc') from = Math.max(from, edge.inclusive ? edge.ts : edge.ts + 1);
  return from < to ? { from, to } : undefined;
}

/** A short stable digest of the query's identity; keys are sorted so property order does not matter. */
export function fingerprintOf(identity: unknown): string {
  return createHash('sha256').update(canonicalJson(identity)).digest('base64url').slice(0, 16);
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}
