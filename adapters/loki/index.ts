// The loki adapter: searches a LogQL stream selector through /loki/api/v1/query_range. Apps,
// files and levels become label matchers, keywords and the regex line filters (exact: LogQL's
// |= is a case-sensitive substring), the trace id a label filter; a long range is walked in
// chunks, and lines sharing a nanosecond are ordered by stream and line hashes so pages resume
// inside ties (walk.ts). Logstores marked `tail: true` can also be followed live.

import type { LogEvent } from '../../src/core/event.js';
import { LogfedError, badInput } from '../../src/errors/index.js';
import { compileFilter } from '../../src/query/match.js';
import type { Adapter, EventFilter, Hit, SearchPage, SearchRequest, Target } from '../../src/query/types.js';
import { acceptFor, inTarget } from '../_http/accept.js';
import { createHttpClient, queryString, throwIfAborted } from '../_http/client.js';
import { parseAdapterConfig, parseLocation } from '../_http/config.js';
import { decodePosition, encodePosition } from '../_http/position.js';
import { CHECKED_CAPABILITIES, instrument } from '../_http/search.js';
import { httpError } from '../_http/status.js';
import { LokiConfigSchema, LokiLocationSchema, type LokiAdapterConfig, type ParsedLokiLocation } from './config.js';
import { toEvent } from './events.js';
import { buildQuery } from './logql.js';
import { parseQueryRange, type Entry } from './response.js';
import { tailLines } from './tail.js';
import { walk, type Direction } from './walk.js';

export type { LokiAdapterConfig, LokiLocation } from './config.js';

export interface LokiAdapter extends Adapter {
  /** Follows a logstore whose location says `tail: true`, from filter.from on, until the signal aborts. */
  tail(target: Target, filter: EventFilter, signal: AbortSignal): AsyncIterable<LogEvent>;
}

const POS_TAG = 'l1';
const NS_PER_MS = 1_000_000n;

export function encodeLinePosition(e: Pick<Entry, 'ns' | 'sh' | 'lh'>): string {
  return encodePosition(POS_TAG, [String(e.ns), e.sh, e.lh]);
}

export function decodeLinePosition(pos: string): [bigint, string, string] {
  const [ns, sh, lh] = decodePosition(POS_TAG, pos, 'loki', 'sss') as [string, string, string];
  if (!/^\d{1,30}$/.test(ns)) throw badInput(`after: the loki position ${JSON.stringify(pos.slice(0, 80))} holds no nanosecond timestamp`);
  return [BigInt(ns), sh, lh];
}

/** Error bodies of Loki are plain text; some say more than the status does. */
const HINTS: Array<[RegExp, { code: 'BAD_CONFIG'; hint: string }]> = [
  [/no org id/i, { code: 'BAD_CONFIG', hint: 'this Loki is multi-tenant: set the backend\'s tenant' }],
  [/parse error/i, { code: 'BAD_CONFIG', hint: 'check location.selector' }],
  [/max entries limit/i, { code: 'BAD_CONFIG', hint: "set maxEntries to the server's max_entries_limit_per_query" }],
  [/query time range exceeds the limit|max_query_length/i, { code: 'BAD_CONFIG', hint: "set maxRangeHours within the server's max_query_length" }],
];

export function createLokiAdapter(config: LokiAdapterConfig): LokiAdapter {
  const cfg = parseAdapterConfig('loki', LokiConfigSchema, config);
  const headers: Record<string, string> = cfg.tenant ? { 'x-scope-orgid': cfg.tenant } : {};
  const http = createHttpClient({ url: cfg.url, timeoutMs: cfg.timeoutMs, name: 'loki', headers });
  const rangeNs = BigInt(Math.max(1, Math.round(cfg.maxRangeHours * 3600_000))) * NS_PER_MS;
  const what = (store: string) => `loki ${http.base.origin} logstore ${store}`;

  const fetchLines = async (target: Target, query: string, start: bigint, end: bigint, direction: Direction, limit: number, signal: AbortSignal) => {
    const res = await http.request({
      path: '/loki/api/v1/query_range',
      query: { query, start: String(start), end: String(end), limit, direction },
      signal,
    });
    if (res.status !== 200) {
      const hint = HINTS.find(([re]) => re.test(res.text))?.[1];
      throw httpError(what(target.logstore.id), res.status, res.text, hint ?? {});
    }
    return parseQueryRange(res.text, what(target.logstore.id));
  };

  const search = async (req: SearchRequest): Promise<SearchPage> => {
    const { target, filter, order, signal } = req;
    const loc = parseLocation(LokiLocationSchema, target.logstore);
    const after = req.after === undefined ? undefined : decodeLinePosition(req.after);
    if (filter.from >= filter.to) return { hits: [], done: true };
    const query = buildQuery(loc, target, filter);
    const accept = acceptFor(target, filter);
    const need = req.limit + 1;
    const out: Hit[] = [];
    await walk({
      order,
      fromNs: BigInt(filter.from) * NS_PER_MS,
      toNs: BigInt(filter.to) * NS_PER_MS,
      after,
      need,
      rangeNs,
      batch: Math.min(cfg.maxEntries, Math.max(need, 100)),
      maxEntries: cfg.maxEntries,
      fetch: (start, end, direction, limit) => {
        throwIfAborted(signal);
        return fetchLines(target, query, start, end, direction, limit, signal);
      },
      take: (e) => {
        const event = toEvent(e, target, loc);
        if (!accept(event)) return false;
        out.push({ event, pos: encodeLinePosition(e) });
        return true;
      },
    });
    return { hits: out.slice(0, req.limit), done: out.length <= req.limit };
  };

  const tail = (target: Target, filter: EventFilter, signal: AbortSignal): AsyncIterable<LogEvent> => {
    const loc: ParsedLokiLocation = parseLocation(LokiLocationSchema, target.logstore);
    if (!loc.tail) throw new LogfedError('BAD_CONFIG', `logstore ${target.logstore.id}: location.tail is not true, so it is not followed live`, { details: { logstore: target.logstore.id } });
    // Live lines have no end; the range only says where to start.
    const matches = compileFilter({ ...filter, to: Number.POSITIVE_INFINITY });
    const inside = inTarget(target);
    const base = new URL(http.base);
    base.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
    const url = `${base.origin}${base.pathname.replace(/\/+$/, '')}/loki/api/v1/tail${queryString({ query: buildQuery(loc, target, filter), start: String(BigInt(Math.max(0, filter.from)) * NS_PER_MS), limit: cfg.maxEntries })}`;
    return tailLines({
      url,
      headers,
      what: what(target.logstore.id),
      signal,
      accept: (entries) =>
        entries
          .sort((a, b) => (a.ns === b.ns ? 0 : a.ns < b.ns ? -1 : 1))
          .map((e) => toEvent(e, target, loc))
          .filter((e) => matches(e) && inside(e)),
    });
  };

  return {
    kind: 'loki',
    capabilities: CHECKED_CAPABILITIES,
    search: instrument('loki', search),
    tail,
    async close() {
      http.close();
    },
  };
}
