// What the contract compares adapters against: the dataset filtered in memory with the one
// definition of "matches" (src/query/match.ts), and helpers that page through an adapter the way
// the gateway does, applying whatever the adapter declares it does not push down.

import { expect } from 'vitest';
import type { LogEvent } from '../../src/core/event.js';
import { compileFilter, parseKeywords } from '../../src/query/match.js';
import type { Adapter, EventFilter, Hit, Order, SearchPage, SearchRequest, Target } from '../../src/query/types.js';

export interface FilterSpec {
  kw?: string;
  include?: string[];
  exclude?: string[];
  levels?: string[];
  traceId?: string;
  regex?: string;
}

export function toFilter(spec: FilterSpec, from: number, to: number): EventFilter {
  const kw = parseKeywords(spec.kw);
  return {
    from,
    to,
    keywords: { include: [...kw.include, ...(spec.include ?? [])], exclude: [...kw.exclude, ...(spec.exclude ?? [])] },
    ...(spec.levels ? { levels: spec.levels } : {}),
    ...(spec.traceId ? { traceId: spec.traceId } : {}),
    ...(spec.regex ? { regex: spec.regex } : {}),
  };
}

/** Identity of an event for comparisons: every field the dataset sets. */
export function eventKey(e: LogEvent): string {
  return JSON.stringify([e.ts, e.app, e.file, e.level ?? '', e.traceId ?? '', e.message]);
}

function inTarget(target: Target): (e: LogEvent) => boolean {
  const apps = target.apps?.length ? new Set(target.apps) : undefined;
  const files = target.files?.length ? new Set(target.files) : undefined;
  return (e) => (!apps || apps.has(e.app)) && (!files || files.has(e.file));
}

/** The events of `seeded` a search of `target` with `filter` must return, oldest first. */
export function expected(seeded: LogEvent[], target: Target, filter: EventFilter): LogEvent[] {
  const matches = compileFilter(filter);
  const inside = inTarget(target);
  return seeded.filter((e) => inside(e) && matches(e)).sort((a, b) => a.ts - b.ts);
}

/** The parts of the filter the gateway applies because the adapter does not push them down. */
export function gatewayPart(adapter: Adapter, target: Target, filter: EventFilter): (e: LogEvent) => boolean {
  const p = adapter.capabilities.pushdown;
  const rest = compileFilter(filter, p);
  const inside = p.appFile ? () => true : inTarget(target);
  return (e) => rest(e) && inside(e);
}

/** The parts the adapter declares it pushes down: every hit it returns must satisfy them. */
export function pushedPart(adapter: Adapter, target: Target, filter: EventFilter): (e: LogEvent) => boolean {
  const p = adapter.capabilities.pushdown;
  const own = compileFilter(filter, { keywords: !p.keywords, levels: !p.levels, traceId: !p.traceId, regex: !p.regex });
  const inside = p.appFile ? inTarget(target) : () => true;
  return (e) => own(e) && inside(e);
}

export function request(target: Target, filter: EventFilter, order: Order, limit: number, after?: string, signal = new AbortController().signal): SearchRequest {
  return { target, filter, order, limit, ...(after === undefined ? {} : { after }), signal };
}

/** Checks one page against the contract's per-page rules and returns it. */
export function checkPage(adapter: Adapter, req: SearchRequest, page: SearchPage): SearchPage {
  expect(page.hits.length, 'a page holds at most `limit` hits').toBeLessThanOrEqual(req.limit);
  if (!page.done) expect(page.hits.length, 'a page that is not done must hold a hit to resume after').toBeGreaterThan(0);
  const pushed = pushedPart(adapter, req.target, req.filter);
  for (const h of page.hits) {
    expect(typeof h.pos, 'every hit has a string pos').toBe('string');
    expect({ domain: h.event.domain, env: h.event.env }, 'events carry domain and env from the target').toEqual({ domain: req.target.domain, env: req.target.env });
    if (!pushed(h.event)) expect.fail(`hit ${eventKey(h.event)} breaks a filter the adapter pushes down: ${JSON.stringify(req.filter)}`);
  }
  return page;
}

export interface Paged {
  hits: Hit[];
  pages: number;
}

/** Pages through a search from `after` until done, checking every page. */
export async function pageAll(adapter: Adapter, target: Target, filter: EventFilter, order: Order, limit: number, after?: string, maxPages = 2000): Promise<Paged> {
  const hits: Hit[] = [];
  let pos = after;
  for (let pages = 1; pages <= maxPages; pages++) {
    const req = request(target, filter, order, limit, pos);
    const page = checkPage(adapter, req, await adapter.search(req));
    hits.push(...page.hits);
    if (page.done) return { hits, pages };
    pos = page.hits[page.hits.length - 1]!.pos;
  }
  throw new Error(`still not done after ${maxPages} pages of ${limit}`);
}

/** Compares what the gateway would show (hits after its own filtering) with the expected events. */
export function expectSameEvents(adapter: Adapter, target: Target, filter: EventFilter, hits: Hit[], want: LogEvent[], order: Order): void {
  const gateway = gatewayPart(adapter, target, filter);
  const shown = hits.map((h) => h.event).filter(gateway);
  const sorted = (xs: LogEvent[]) => xs.map(eventKey).sort();
  expect(sorted(shown), 'the same events as the dataset filtered in memory').toEqual(sorted(want));
  if (adapter.capabilities.sorts) expectOrdered(shown, order);
  const positions = hits.map((h) => h.pos);
  expect(new Set(positions).size, 'no position repeats').toBe(positions.length);
}

export function expectOrdered(events: LogEvent[], order: Order): void {
  for (let i = 1; i < events.length; i++) {
    const [a, b] = [events[i - 1]!.ts, events[i]!.ts];
    if (order === 'asc' ? a > b : a < b) expect.fail(`hit ${i} (${b}) is out of ${order} order after ${a}`);
  }
}

/** Timestamps that two or more events share: the ties keyset paging must get right. */
export function tiedTimestamps(events: LogEvent[]): number[] {
  const count = new Map<number, number>();
  for (const e of events) count.set(e.ts, (count.get(e.ts) ?? 0) + 1);
  return [...count].filter(([, n]) => n > 1).map(([ts]) => ts);
}

export function isCancellation(err: unknown): boolean {
  const e = err as { code?: string; name?: string };
  return e?.code === 'CANCELLED' || e?.name === 'AbortError';
}
