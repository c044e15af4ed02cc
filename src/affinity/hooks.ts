// Plugs affinity into the query engine: the store (Redis when configured, so replicas share
// scores, else in memory), the rank step that searches the likeliest apps first, and the hook
// that, off the request path after each answer, trains the networks and records batch outcomes.
//
// Training rule, per answered page (a page is the result set a caller saw):
// - a query that names apps: +5 user→app for each (domain, app) the names resolved to, on its
//   first page only — paging on through the same query does not mean more attention;
// - a query that names none but filters the content (keywords, trace id or regex): +1 user→app
//   for each app in the page's rows and +1 app↔app for each pair of them (the library caps pairs);
// - a query with neither (the newest lines of a whole domain) trains nothing: which apps logged
//   last says nothing about a user or a call chain.

import type { Redis } from 'ioredis';
import type { AnsweredHook } from '../query/after.js';
import { createAffinityRank, rankingUser } from '../query/rank.js';
import type { Middleware } from '../query/request.js';
import { createMemoryAffinityStore } from './memory-store.js';
import { recordBatchOutcome } from './metrics.js';
import { createRedisAffinityStore } from './redis-store.js';
import { appKey, type AffinityStore, type AppRef } from './store.js';
import { trainFromQuery } from './train.js';

export interface AffinityConfig {
  batchSize: number;
  userTop: number;
  /** Infinity keeps scores forever. */
  halfLifeDays: number;
  /** Redis keys start with this; replicas that share scores use the same one. */
  keyPrefix: string;
}

const DAY_MS = 24 * 3600_000;

export function createAffinityStore(config: Pick<AffinityConfig, 'halfLifeDays' | 'keyPrefix'>, redis?: Redis): AffinityStore {
  const halfLifeMs = config.halfLifeDays * DAY_MS;
  return redis ? createRedisAffinityStore(redis, { keyPrefix: config.keyPrefix, halfLifeMs }) : createMemoryAffinityStore({ halfLifeMs });
}

/**
 * The newest event time seen per app in answers: what the engine knows of fresh data when a
 * logstore has no maxTs. Bounded: past `limit` apps the longest-unseen are forgotten.
 */
export class AppRecency {
  private readonly newest = new Map<string, number>();

  constructor(private readonly limit = 100_000) {}

  see(key: string, ts: number): void {
    const had = this.newest.get(key);
    if (had !== undefined && had >= ts) return;
    // Re-inserting moves the key to the end, so the first key is the longest unseen.
    this.newest.delete(key);
    this.newest.set(key, ts);
    if (this.newest.size > this.limit) this.newest.delete(this.newest.keys().next().value!);
  }

  get(key: string): number | undefined {
    return this.newest.get(key);
  }
}

export interface Affinity {
  store: AffinityStore;
  /** The engine's rank step. */
  rank: Middleware;
  /** Register with engine.onAnswered: trains, notes fresh data, records the batch-1 outcome. */
  onAnswered: AnsweredHook;
  recency: AppRecency;
}

export function createAffinity(options: { store: AffinityStore; batchSize?: number; userTop?: number; rankTimeoutMs?: number }): Affinity {
  const { store } = options;
  const recency = new AppRecency();
  const rank = createAffinityRank({
    store,
    batchSize: options.batchSize,
    userTop: options.userTop,
    timeoutMs: options.rankTimeoutMs,
    recency: (key) => recency.get(key),
  });
  const onAnswered: AnsweredHook = async (ctx, input, result) => {
    const outcome = result.batches?.outcome;
    if (outcome) recordBatchOutcome(outcome === 'hit');
    const rows: AppRef[] = [];
    for (const { event } of result.edges) {
      const ref = { domain: event.domain, app: event.app };
      recency.see(appKey(ref), event.ts);
      rows.push(ref);
    }
    const user = rankingUser(ctx.user);
    if (input.apps?.length) {
      if (input.after === undefined && result.namedApps?.length) await trainFromQuery(store, { user, namedApps: result.namedApps, resultApps: [] });
    } else if (filtersContent(input) && rows.length) {
      await trainFromQuery(store, { user, namedApps: [], resultApps: rows });
    }
  };
  return { store, rank, onAnswered, recency };
}

function filtersContent(input: { keywords?: string; traceId?: string; regex?: string }): boolean {
  return !!(input.keywords?.trim() || input.traceId?.trim() || input.regex);
}
