// The opensearch adapter: searches an index pattern on OpenSearch (1.x, 2.x) or Elasticsearch
// (7.10+, 8.x) through the `_search` API. Time, env/apps/files, levels, trace id and keywords
// narrow one bool query; every hit is re-checked in process (exact, case-sensitive keywords and
// the regex), over further batches until the page is full.
//
// Pages resume with search_after on (ts, tiebreak), a total order that needs no server state:
// each page sees the index as it is now, so events appended after the cursor are found (a point
// in time would freeze the view at the first page and hide them) and a slow reader never meets
// an expired context. The tiebreak must be unique and sortable: `_id` where the cluster allows
// it (OpenSearch does by default), otherwise a configured field.

import { LogfedError, toLogfedError } from '../../src/errors/index.js';
import type { Adapter, Hit, SearchPage, SearchRequest } from '../../src/query/types.js';
import type { Logstore } from '../../src/topology/types.js';
import { acceptFor } from '../_http/accept.js';
import { createHttpClient, throwIfAborted, type HttpClient } from '../_http/client.js';
import { parseAdapterConfig, parseLocation } from '../_http/config.js';
import { decodePosition, encodePosition } from '../_http/position.js';
import { CHECKED_CAPABILITIES, instrument } from '../_http/search.js';
import { OpensearchConfigSchema, OpensearchLocationSchema, resolveFields, type OpensearchAdapterConfig } from './config.js';
import { checkComplete, responseError, type ShardInfo } from './errors.js';
import { toEvent, type RawHit } from './hits.js';
import { boundsBody, searchBody, type SortValue } from './query.js';

export type { OpensearchAdapterConfig, OpensearchLocation } from './config.js';

const POS_TAG = 'o1';

export function encodeSortPosition(sort: readonly SortValue[]): string {
  return encodePosition(POS_TAG, sort);
}

/** The sort values of a hit: epoch ms, then the tiebreak (a string for _id and keywords, a number for numeric fields). */
export function decodeSortPosition(pos: string): SortValue[] {
  return decodePosition(POS_TAG, pos, 'opensearch', 'nv');
}

interface SearchResponse {
  _shards?: ShardInfo;
  timed_out?: boolean;
  hits?: { hits?: RawHit[] };
  aggregations?: Record<string, { value?: number | null }>;
}

function authHeaders(cfg: { username?: string; password?: string; apiKey?: string }): Record<string, string> {
  if (cfg.apiKey) return { authorization: `ApiKey ${cfg.apiKey}` };
  if (cfg.username) return { authorization: `Basic ${Buffer.from(`${cfg.username}:${cfg.password ?? ''}`).toString('base64')}` };
  return {};
}

export function createOpensearchAdapter(config: OpensearchAdapterConfig): Adapter {
  const cfg = parseAdapterConfig('opensearch', OpensearchConfigSchema, config);
  const fields = resolveFields(cfg);
  const http: HttpClient = createHttpClient({ url: cfg.url, timeoutMs: cfg.timeoutMs, name: 'opensearch', headers: authHeaders(cfg) });
  const what = (index: string) => `opensearch ${http.base.origin} index ${JSON.stringify(index)}`;

  const post = async (index: string, body: unknown, signal: AbortSignal): Promise<SearchResponse> => {
    const res = await http.request({
      method: 'POST',
      path: `/${encodeURIComponent(index)}/_search`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal,
    });
    if (res.status < 200 || res.status > 299) throw responseError(what(index), res.status, res.text);
    let parsed: SearchResponse;
    try {
      parsed = JSON.parse(res.text) as SearchResponse;
    } catch {
      throw new LogfedError('BACKEND_ERROR', `${what(index)}: the answer is not JSON: ${res.text.slice(0, 200)}`);
    }
    checkComplete(what(index), parsed);
    return parsed;
  };

  const search = async (req: SearchRequest): Promise<SearchPage> => {
    const { target, filter, order, signal } = req;
    const { index } = parseLocation(OpensearchLocationSchema, target.logstore);
    let cursor = req.after === undefined ? undefined : decodeSortPosition(req.after);
    if (filter.from >= filter.to) return { hits: [], done: true };
    const accept = acceptFor(target, filter);
    const need = req.limit + 1;
    // Round trips grow when the in-process check drops hits the query let through.
    const thinned = Boolean(filter.regex) || (!cfg.keywordField && filter.keywords.include.length + filter.keywords.exclude.length > 0);
    const size = Math.min(cfg.maxBatch, thinned ? Math.max(need * 4, 200) : need);
    const out: Hit[] = [];
    for (;;) {
      const body = searchBody({ target, filter, order, size, fields, keywordField: cfg.keywordField, tiebreak: cfg.tiebreak, searchAfter: cursor });
      const hits = (await post(index, body, signal)).hits?.hits ?? [];
      for (const hit of hits) {
        if (!hit.sort || hit.sort.length !== 2) throw new LogfedError('BACKEND_ERROR', `${what(index)}: a hit came back without its sort values`);
        cursor = hit.sort;
        const event = toEvent(hit, target, fields);
        if (accept(event)) out.push({ event, pos: encodeSortPosition(hit.sort) });
        if (out.length === need) break;
      }
      if (out.length === need || hits.length < size) break;
      throwIfAborted(signal);
    }
    return { hits: out.slice(0, req.limit), done: out.length <= req.limit };
  };

  return {
    kind: 'opensearch',
    capabilities: CHECKED_CAPABILITIES,
    search: instrument('opensearch', search),

    async timeBounds(store: Logstore, signal: AbortSignal) {
      const { index } = parseLocation(OpensearchLocationSchema, store);
      try {
        const aggs = (await post(index, boundsBody(fields, store.env), signal)).aggregations ?? {};
        const read = (v: number | null | undefined) => (typeof v === 'number' && Number.isFinite(v) ? Math.floor(v) : undefined);
        return { minTs: read(aggs.min_ts?.value), maxTs: read(aggs.max_ts?.value) };
      } catch (err) {
        throw toLogfedError(err, 'BACKEND_ERROR');
      }
    },

    async close() {
      http.close();
    },
  };
}
