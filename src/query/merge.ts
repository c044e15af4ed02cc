// Last step of the query chain: k-way merges the targets' hits by ts (binary heap, ties by
// target rank then arrival, so a page is stable), cuts the page, and answers with edges, cursors
// and one source status per target considered.
//
// The page never passes the frontier of a target that was not read to its end: that target may
// hold unread hits right after it. Each edge's cursor holds the positions as of that edge: a
// target moves to its last hit consumed, to its frontier once all its hits are consumed, or
// becomes exhausted when it was read to its end; a target whose hits were not consumed, or that
// failed, keeps the position it came with; the edge's boundary keeps a target that was read
// but not consumed from picking up, on the next page, events that arrived before the boundary.
// A failed source does not hold the page open; it stays in the cursor as unbounded, so
// following the cursor asks it again from where it was.
//
// A search ranked into batches pages through its batches (rank.ts): hasNextPage stays true while
// batches remain, and the cursor after the last event of a batch read to its end says that the
// next page opens the next batch. The page also settles the batch-1 outcome when it can (batches.ts).

import { LogfedError } from '../errors/index.js';
import { judgeBatchOutcome, type BatchProgress, type BatchReport } from './batches.js';
import { encodeCursor, type CursorState, type Position } from './cursor.js';
import { BinaryHeap } from './heap.js';
import { keyCompare, type HitKey } from './order.js';
import type { FetchedHit, TargetRead } from './read.js';
import type { Edge, Handler, NormalisedQuery, SearchResult, TargetOutcome } from './request.js';

interface Stream {
  id: string;
  rank: number;
  read: TargetRead;
  next: number;
}

/** What consuming a hit does to its target's entry in the cursor. */
type Update = { id: string; exhausted: true; at?: Position } | { id: string; exhausted?: false; at: Position };

/** `waiting`: targets left for a later batch, listed in the sources only. */
export function mergePage(query: NormalisedQuery, outcomes: TargetOutcome[], progress?: BatchProgress, waiting: TargetOutcome[] = []): SearchResult {
  const cmp = keyCompare(query.order);
  const head = (s: Stream): HitKey => ({ ts: s.read.hits[s.next]!.event.ts, rank: s.rank, seq: s.next });
  const heap = new BinaryHeap<Stream>((a, b) => cmp(head(a), head(b)) < 0);

  const base = startState(query, outcomes);
  let cut: HitKey | undefined;
  for (const o of outcomes) {
    if (!o.read) continue;
    const s: Stream = { id: o.planned.target.id, rank: o.planned.rank, read: o.read, next: 0 };
    if (!o.read.done && o.read.frontier) {
      const f: HitKey = { ts: o.read.frontier.ts, rank: s.rank, seq: Infinity };
      if (!cut || cmp(f, cut) < 0) cut = f;
    }
    if (o.read.hits.length) heap.push(s);
    else apply(base, finished(s, undefined));
  }

  const events: FetchedHit[] = [];
  const updates: Update[] = [];
  while (events.length < query.first && heap.size) {
    const s = heap.peek()!;
    if (cut && cmp(head(s), cut) >= 0) break;
    const hit = s.read.hits[s.next++]!;
    events.push(hit);
    updates.push(s.next < s.read.hits.length ? { id: s.id, at: positionOf(hit) } : finished(s, hit));
    if (s.next < s.read.hits.length) heap.replaceTop(s);
    else heap.pop();
  }

  const batchLeft = heap.size > 0 || outcomes.some((o) => (o.read && !o.read.done) || o.deferred);
  const report = progress && reportBatch(progress, outcomes, { full: events.length >= query.first, batchLeft });
  const hasNextPage = batchLeft || (!!report && report.current < report.total);
  if (report) base.batches = { opened: progress!.opened, next: false, judged: progress!.judged || report.outcome !== undefined };
  const cursorAt = snapshots(query.fingerprint, base, updates, events, !batchLeft && hasNextPage);
  const edges: Edge[] = events.map((hit, i) => lazyEdge(hit, () => cursorAt(i)));
  const endCursor = events.length ? cursorAt(events.length - 1) : hasNextPage ? cursorAt(-1) : undefined;
  const sources = [...outcomes, ...waiting].sort((a, b) => a.planned.rank - b.planned.rank).map((o) => o.status);
  const result: SearchResult = { edges, pageInfo: endCursor === undefined ? { hasNextPage } : { hasNextPage, endCursor }, sources };
  if (report) result.batches = report;
  return result;
}

function reportBatch(progress: BatchProgress, outcomes: TargetOutcome[], page: { full: boolean; batchLeft: boolean }): BatchReport {
  const current = progress.opened.length;
  // Never fewer than the batches opened, whatever the estimate of the rest said.
  const total = Math.max(progress.total, current);
  const report: BatchReport = { current, total };
  if (progress.judged || total <= 1) return report;
  const later = new Set(progress.opened.slice(1).flat());
  const laterRows = later.size > 0 && outcomes.some((o) => !!o.read?.hits.length && later.has(o.planned.target.id));
  const outcome = judgeBatchOutcome(progress, { laterRows, full: page.full, ended: !page.batchLeft && current >= total });
  if (outcome) report.outcome = outcome;
  return report;
}

/**
 * The cursor state the page starts from: the incoming positions of the targets still planned,
 * the incoming boundary, and as unbounded the targets without a position that have not been
 * read since they failed (see cursor.ts).
 */
function startState(query: NormalisedQuery, outcomes: TargetOutcome[]): CursorState {
  const resume = query.resume;
  const state: CursorState = {
    range: { from: query.filter.from, to: query.filter.to },
    positions: new Map(),
    exhausted: new Set(),
    unbounded: new Set(),
    ...(resume?.boundary ? { boundary: resume.boundary } : {}),
  };
  for (const o of outcomes) {
    const id = o.planned.target.id;
    const at = resume?.positions.get(id);
    if (at) state.positions.set(id, at);
    if (resume?.exhausted.has(id)) state.exhausted.add(id);
    if (!at && !o.read && (o.missed || resume?.unbounded.has(id))) state.unbounded.add(id);
  }
  return state;
}

function positionOf(hit: FetchedHit): Position {
  return { pos: hit.pos, ts: hit.event.ts };
}

/** The update once a target's last fetched hit (if any) is consumed. */
function finished(s: Stream, last: FetchedHit | undefined): Update {
  if (s.read.done) return last ? { id: s.id, exhausted: true, at: positionOf(last) } : { id: s.id, exhausted: true };
  const at = s.read.frontier ?? (last && positionOf(last));
  if (!at) throw new LogfedError('INTERNAL', `target ${s.id} is not done but has no frontier`);
  return { id: s.id, at };
}

function apply(state: CursorState, u: Update): void {
  if (u.exhausted) state.exhausted.add(u.id);
  else state.exhausted.delete(u.id);
  if (u.at) state.positions.set(u.id, u.at);
}

/**
 * Encodes the state after edge i (i = -1: before any edge), on demand and once each. `opensNext`:
 * after the page's last edge nothing of its batch is left and another batch follows.
 */
function snapshots(fingerprint: string, base: CursorState, updates: Update[], events: FetchedHit[], opensNext: boolean): (i: number) => string {
  const memo = new Map<number, string>();
  return (i) => {
    let text = memo.get(i);
    if (text === undefined) {
      const state: CursorState = { ...base, positions: new Map(base.positions), exhausted: new Set(base.exhausted) };
      for (let k = 0; k <= i; k++) apply(state, updates[k]!);
      if (i >= 0) state.boundary = { ts: events[i]!.event.ts, id: updates[i]!.id };
      if (state.batches && opensNext && i === events.length - 1) state.batches = { ...state.batches, next: true };
      memo.set(i, (text = encodeCursor(fingerprint, state)));
    }
    return text;
  };
}

/** An edge whose cursor is encoded only if read: a page asked for its end cursor only pays once. */
function lazyEdge(hit: FetchedHit, cursor: () => string): Edge {
  return {
    event: hit.event,
    get cursor() {
      return cursor();
    },
  };
}

export const merge: Handler = async (_ctx, req) => {
  if (!req.query || !req.outcomes) throw new LogfedError('INTERNAL', 'merge runs after fan-out');
  return mergePage(req.query, [...(req.settled ?? []), ...req.outcomes], req.progress, req.waiting);
};
