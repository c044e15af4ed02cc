import { describe, expect, it } from 'vitest';
import { decodeCursor, type CursorState, type Position } from './cursor.js';
import { mergePage } from './merge.js';
import { normaliseInput } from './normalise.js';
import type { TargetRead } from './read.js';
import { DEFAULT_LIMITS, type NormalisedQuery, type SourceState, type TargetOutcome } from './request.js';
import { ev, store } from './testing.js';

const query = (first: number, order: 'asc' | 'desc' = 'desc', resume?: CursorState): NormalisedQuery => ({
  ...normaliseInput({ first, order, from: 0, to: 1000 }, DEFAULT_LIMITS, 1000),
  ...(resume ? { resume } : {}),
});

function outcome(id: string, rank: number, ts: number[], read: Partial<TargetRead> = {}, status: SourceState = 'OK'): TargetOutcome {
  const hits = ts.map((t, i) => ({ event: ev(t, { app: id, message: `${id}@${t}` }), pos: `${id}:${i}` }));
  const o: TargetOutcome = {
    planned: { target: { id, logstore: store(id), domain: 'd', env: 'prod' }, rank },
    status: { logstore: id, domain: 'd', backend: 'fake', status, rows: hits.length, ms: 1 },
  };
  if (status === 'OK') o.read = { hits, done: true, scanned: hits.length, ...read };
  return o;
}

const page = (r: ReturnType<typeof mergePage>) => r.edges.map((e) => e.event.message);
const positions = (cursor: string, q: NormalisedQuery) => {
  const s = decodeCursor(cursor, q.fingerprint);
  return { at: Object.fromEntries([...s.positions].map(([id, p]) => [id, p.pos])), exhausted: [...s.exhausted].sort() };
};

describe('mergePage', () => {
  it('merges by ts, newest first, ties by target rank then arrival', () => {
    const q = query(10);
    const r = mergePage(q, [outcome('b', 1, [9, 5, 5]), outcome('a', 0, [7, 5, 1]), outcome('c', 2, [5])]);
    expect(page(r)).toEqual(['b@9', 'a@7', 'a@5', 'b@5', 'b@5', 'c@5', 'a@1']);
    expect(r.pageInfo.hasNextPage).toBe(false);
    expect(mergePage(query(10, 'asc'), [outcome('b', 1, [1, 4]), outcome('a', 0, [2, 4])]).edges.map((e) => e.event.message)).toEqual([
      'b@1',
      'a@2',
      'a@4',
      'b@4',
    ]);
  });

  it('gives each edge the positions as of that edge, and keeps unconsumed targets where they were', () => {
    const q = query(3);
    const r = mergePage(q, [outcome('a', 0, [9, 6, 3], { done: false, frontier: { pos: 'a:2', ts: 3 } }), outcome('b', 1, [8]), outcome('c', 2, [1])]);
    expect(page(r)).toEqual(['a@9', 'b@8', 'a@6']);
    expect(positions(r.edges[0]!.cursor, q)).toEqual({ at: { a: 'a:0' }, exhausted: [] });
    expect(positions(r.edges[1]!.cursor, q)).toEqual({ at: { a: 'a:0', b: 'b:0' }, exhausted: ['b'] });
    expect(positions(r.edges[2]!.cursor, q)).toEqual({ at: { a: 'a:1', b: 'b:0' }, exhausted: ['b'] });
    expect(r.pageInfo).toEqual({ hasNextPage: true, endCursor: r.edges[2]!.cursor });
  });

  it('moves a target to its frontier once all its hits are consumed', () => {
    const q = query(10);
    const frontier: Position = { pos: 'a:far', ts: 2 };
    const r = mergePage(q, [outcome('a', 0, [9], { done: false, frontier }), outcome('b', 1, [8, 7, 1])]);
    expect(page(r)).toEqual(['a@9', 'b@8', 'b@7']);
    expect(positions(r.pageInfo.endCursor!, q)).toEqual({ at: { a: 'a:far', b: 'b:1' }, exhausted: [] });
    expect(r.pageInfo.hasNextPage).toBe(true);
  });

  it('never passes the frontier of a target that was not read to its end', () => {
    const q = query(10);
    const r = mergePage(q, [outcome('a', 0, [9, 5, 4, 3]), outcome('b', 1, [], { done: false, frontier: { pos: 'b:x', ts: 5 } })]);
    // a@5 ranks before b, so it is safe; a@4 could be preceded by b's unread hits.
    expect(page(r)).toEqual(['a@9', 'a@5']);
    expect(positions(r.edges[0]!.cursor, q).at).toEqual({ a: 'a:0', b: 'b:x' });
  });

  it('an empty page still moves past rows that held no match', () => {
    const q = query(10);
    const r = mergePage(q, [outcome('a', 0, [], { done: false, frontier: { pos: 'a:x', ts: 5 } })]);
    expect(r.edges).toEqual([]);
    expect(r.pageInfo.hasNextPage).toBe(true);
    expect(positions(r.pageInfo.endCursor!, q).at).toEqual({ a: 'a:x' });
  });

  it('a failed target keeps its incoming position; a deferred one holds the page open', () => {
    const resume: CursorState = {
      range: { from: 0, to: 1000 },
      positions: new Map([['bad', { pos: 'bad:3', ts: 4 }]]),
      exhausted: new Set(), unbounded: new Set(),
    };
    const q = query(5, 'desc', resume);
    const failed = outcome('bad', 0, [], {}, 'ERROR');
    const r = mergePage(q, [failed, outcome('ok', 1, [3])]);
    expect(r.pageInfo.hasNextPage).toBe(false);
    expect(positions(r.pageInfo.endCursor!, q)).toEqual({ at: { bad: 'bad:3', ok: 'ok:0' }, exhausted: ['ok'] });
    const deferred = { ...outcome('later', 2, [], {}, 'CANCELLED'), deferred: true };
    expect(mergePage(q, [outcome('ok', 1, [3]), deferred]).pageInfo.hasNextPage).toBe(true);
  });

  it('sets each edge boundary, and lists targets missed without a position as unbounded', () => {
    const resume: CursorState = {
      range: { from: 0, to: 1000 },
      positions: new Map([['placed', { pos: 'placed:0', ts: 9 }]]),
      exhausted: new Set(),
      boundary: { ts: 9, id: 'placed' },
      unbounded: new Set(['back', 'still']),
    };
    const q = query(1, 'desc', resume);
    const missed = (id: string, rank: number) => ({ ...outcome(id, rank, [], {}, 'ERROR'), missed: true });
    const r = mergePage(q, [outcome('back', 0, [5]), outcome('ok', 1, [8, 2]), missed('placed', 2), missed('new-fail', 3), missed('still', 4)]);
    const state = decodeCursor(r.edges[0]!.cursor, q.fingerprint);
    expect(state.boundary).toEqual({ ts: 8, id: 'ok' });
    expect([...state.unbounded].sort()).toEqual(['new-fail', 'still']);
    const empty = mergePage(q, [outcome('ok', 1, [], { done: false, frontier: { pos: 'f', ts: 1 } })]);
    expect(decodeCursor(empty.pageInfo.endCursor!, q.fingerprint).boundary).toEqual(resume.boundary);
  });

  it('reports one status per target in plan order', () => {
    const r = mergePage(query(5), [outcome('z', 2, [1]), outcome('x', 0, [], {}, 'SKIPPED'), outcome('y', 1, [2])]);
    expect(r.sources.map((s) => [s.logstore, s.status])).toEqual([
      ['x', 'SKIPPED'],
      ['y', 'OK'],
      ['z', 'OK'],
    ]);
  });
});
