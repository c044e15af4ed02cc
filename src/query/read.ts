// Reads one target's next matching hits for a page, applying in the gateway what its adapter
// cannot: filters it does not push down (compileFilter, plus apps/files and exclusions), sorting,
// paging. Called by the fan-out once per target; the merge consumes what it returns.
//
// The caller narrows the filter's time range to what is left after the target's position (see
// resumeRange in cursor.ts), so a resumed read never sees rows newer — for desc — than its
// position. Within that range, three ways to read, by capability:
// - sorts and pages: ask for the hits after the position, again after the last row read while
//   the gateway filters rows out, until `need` matches, the end, or `maxScanRows` rows.
// - sorts, no paging: the fallback — ask for `need` rows plus those before the position, from
//   the start of the range, and drop rows through the position (found by its pos); ask for
//   twice as many while the position is not among them. A position that is gone resumes
//   after its ts.
// - no sorting: read every row (paging if it can), sort by (ts, pos) and resume after the
//   position's (ts, pos). Past `maxScanRows` rows the order is only as good as what was read.

import type { LogEvent } from '../core/event.js';
import { compileFilter } from './match.js';
import type { Position } from './cursor.js';
import type { Exclusion, PlannedTarget } from './request.js';
import type { Adapter, AdapterCapabilities, EventFilter, Hit, Order, SearchPage, SearchRequest } from './types.js';

export interface FetchedHit {
  event: LogEvent;
  pos: string;
}

export interface TargetRead {
  /** Matching hits in the query's order. */
  hits: FetchedHit[];
  /** No matching event follows the last hit. */
  done: boolean;
  /** When not done: the last row read. Every match before it is in `hits`. */
  frontier?: Position;
  scanned: number;
  note?: string;
}

export interface ReadOptions {
  adapter: Adapter;
  planned: PlannedTarget;
  filter: EventFilter;
  order: Order;
  from?: Position;
  need: number;
  maxScanRows: number;
  signal: AbortSignal;
  /** The gateway-side filter for this target (see localFilter). */
  matches: (e: LogEvent) => boolean;
  /** Whether `matches` drops more than the time range, so that reading ahead pays. */
  filtersMore: boolean;
  /** The adapter call, wrapped by the caller with retry and abort; defaults to adapter.search. */
  search?: (req: SearchRequest) => Promise<SearchPage>;
}

/** Rows asked for at once when the gateway filters: fewer round trips when most rows drop out. */
const READ_AHEAD = 256;

export function readTarget(o: ReadOptions): Promise<TargetRead> {
  const { sorts, pages } = o.adapter.capabilities;
  if (!sorts) return readUnsorted(o);
  return pages ? readPaged(o) : readFromStart(o);
}

function request(o: ReadOptions, limit: number, after?: string): Promise<SearchPage> {
  const req: SearchRequest = { target: o.planned.target, filter: o.filter, order: o.order, limit, signal: o.signal };
  if (after !== undefined) req.after = after;
  return (o.search ?? ((r) => o.adapter.search(r)))(req);
}

function askFor(o: ReadOptions, matched: number, scanned: number): number {
  const want = Math.max(1, o.need - matched);
  return Math.max(1, Math.min(o.filtersMore ? Math.max(want, READ_AHEAD) : want, o.maxScanRows - scanned));
}

const positionOf = (h: Hit): Position => ({ pos: h.pos, ts: h.event.ts });

async function readPaged(o: ReadOptions): Promise<TargetRead> {
  const hits: FetchedHit[] = [];
  let last = o.from;
  let scanned = 0;
  for (;;) {
    const page = await request(o, askFor(o, hits.length, scanned), last?.pos);
    for (const h of page.hits) {
      scanned++;
      if (o.matches(h.event)) hits.push(h);
    }
    if (page.hits.length) last = positionOf(page.hits[page.hits.length - 1]!);
    // A page that is not done must move forward; one that does not would loop for ever.
    if (page.done || page.hits.length === 0) return { hits, done: true, scanned };
    if (hits.length >= o.need || scanned >= o.maxScanRows) return { hits, done: false, frontier: last, scanned };
  }
}

async function readFromStart(o: ReadOptions): Promise<TargetRead> {
  const hits: FetchedHit[] = [];
  let last = o.from;
  let scanned = 0;
  let limit = askFor(o, 0, 0);
  for (;;) {
    const page = await request(o, limit);
    const rows = page.hits;
    const found = last ? indexAfter(rows, last, o.order) : 0;
    if (found === 'further' && !page.done && rows.length >= limit && limit <= o.maxScanRows) {
      limit *= 2;
      continue;
    }
    const start = typeof found === 'number' ? found : indexAfterTs(rows, last!.ts, o.order);
    for (let i = start; i < rows.length; i++) {
      scanned++;
      if (o.matches(rows[i]!.event)) hits.push(rows[i]!);
    }
    if (rows.length > start) last = positionOf(rows[rows.length - 1]!);
    if (page.done) return { hits, done: true, scanned };
    if (rows.length < limit) {
      // Fewer rows than asked for, yet not done: the backend caps its answers and cannot page.
      return { hits, done: true, scanned, note: `the backend returned ${rows.length} of ${limit} rows and cannot page: later rows are out of reach` };
    }
    if (hits.length >= o.need || scanned >= o.maxScanRows) return { hits, done: false, frontier: last, scanned };
    limit = rows.length + askFor(o, hits.length, scanned);
  }
}

/**
 * Index of the first row after the one at `at`; 'gone' when the rows pass its ts without it,
 * 'further' when they end before reaching it.
 */
function indexAfter(rows: Hit[], at: Position, order: Order): number | 'gone' | 'further' {
  for (let i = 0; i < rows.length; i++) {
    const h = rows[i]!;
    if (h.pos === at.pos) return i + 1;
    if (order === 'desc' ? h.event.ts < at.ts : h.event.ts > at.ts) return 'gone';
  }
  return 'further';
}

function indexAfterTs(rows: Hit[], ts: number, order: Order): number {
  const i = rows.findIndex((h) => (order === 'desc' ? h.event.ts < ts : h.event.ts > ts));
  return i < 0 ? rows.length : i;
}

async function readUnsorted(o: ReadOptions): Promise<TargetRead> {
  const rows: Hit[] = [];
  let complete = false;
  let after: string | undefined;
  while (rows.length < o.maxScanRows) {
    const page = await request(o, o.maxScanRows - rows.length, o.adapter.capabilities.pages ? after : undefined);
    rows.push(...page.hits);
    complete = page.done || page.hits.length === 0;
    if (complete || !o.adapter.capabilities.pages) break;
    after = page.hits[page.hits.length - 1]!.pos;
  }
  const cmp = rowCompare(o.order);
  rows.sort(cmp);
  const from = o.from;
  let i = from ? rows.findIndex((h) => cmp(h, { event: { ts: from.ts }, pos: from.pos }) > 0) : 0;
  if (i < 0) i = rows.length;
  const hits: FetchedHit[] = [];
  let last: Position | undefined;
  for (; i < rows.length && hits.length < o.need; i++) {
    last = positionOf(rows[i]!);
    if (o.matches(rows[i]!.event)) hits.push(rows[i]!);
  }
  const note = complete ? {} : { note: `read ${rows.length} rows (maxScanRows) from a backend that does not sort; order is approximate` };
  // Nothing left past the position in what could be read: going on would read the same rows again.
  if (i >= rows.length) return { hits, done: true, scanned: rows.length, ...note };
  return { hits, done: false, frontier: last!, scanned: rows.length, ...note };
}

function rowCompare(order: Order) {
  const dir = order === 'desc' ? -1 : 1;
  return (a: { event: { ts: number }; pos: string }, b: { event: { ts: number }; pos: string }) =>
    a.event.ts !== b.event.ts ? (a.event.ts < b.event.ts ? -dir : dir) : a.pos < b.pos ? -1 : a.pos > b.pos ? 1 : 0;
}

/**
 * The gateway-side filter of a target: time always, the filter parts the adapter does not push
 * down, the target's apps/files when the adapter cannot apply them, and the exclusions the
 * planner set (what a more specific logstore serves), which no adapter knows about.
 */
export function localFilter(
  caps: AdapterCapabilities,
  planned: PlannedTarget,
  filter: EventFilter,
  regexMatcher?: (text: string) => boolean,
): { matches: (e: LogEvent) => boolean; filtersMore: boolean } {
  const p = caps.pushdown;
  const base = compileFilter(filter, p, regexMatcher ? () => regexMatcher : undefined);
  const { apps, files } = planned.target;
  const appSet = !p.appFile && apps?.length ? new Set(apps) : undefined;
  const fileSet = !p.appFile && files?.length ? new Set(files) : undefined;
  const excluded = planned.exclude?.length ? exclusionTest(planned.exclude) : undefined;
  const filtersMore =
    !!appSet ||
    !!fileSet ||
    !!excluded ||
    (!p.keywords && filter.keywords.include.length + filter.keywords.exclude.length > 0) ||
    (!p.levels && !!filter.levels?.length) ||
    (!p.traceId && filter.traceId !== undefined) ||
    (!p.regex && filter.regex !== undefined);
  if (!appSet && !fileSet && !excluded) return { matches: base, filtersMore };
  return {
    matches: (e) => base(e) && (!appSet || appSet.has(e.app)) && (!fileSet || fileSet.has(e.file)) && !excluded?.(e),
    filtersMore,
  };
}

function exclusionTest(list: Exclusion[]): (e: LogEvent) => boolean {
  const wholeApps = new Set(list.filter((x) => x.file === undefined).map((x) => x.app));
  const pairs = new Set(list.filter((x) => x.file !== undefined).map((x) => `${x.app}\u0000${x.file}`));
  return (e) => wholeApps.has(e.app) || pairs.has(`${e.app}\u0000${e.file}`);
}
