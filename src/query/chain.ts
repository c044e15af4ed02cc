// The query engine: the one place where the query chain is composed, and the function the
// GraphQL layer calls. Each step is a handler `next => (ctx, req) => res` in its own file:
//   after -> measure -> normalise -> scope -> plan -> [plugins] -> prune -> rank -> fan out
//   -> [plugins] -> merge
// The engine holds what outlives a request: concurrency limiters, circuit breakers, hooks.

import { LogfedError, toLogfedError } from '../errors/index.js';
import { after, AfterHooks, type AnsweredHook } from './after.js';
import { BreakerRegistry, DEFAULT_BREAKER, type BreakerOptions } from './breaker.js';
import { createLimiters, fanout } from './fanout.js';
import { merge } from './merge.js';
import { queryMetrics } from './metrics.js';
import { normalise } from './normalise.js';
import { plan } from './plan.js';
import { prune } from './prune.js';
import { rank } from './rank.js';
import { DEFAULT_LIMITS, type Handler, type Middleware, type QueryContext, type QueryLimits, type SearchInput, type SearchResult } from './request.js';
import { scope } from './scope.js';

export interface EngineOptions {
  /** Defaults for every query; a context's `limits` override them per request. */
  limits?: Partial<QueryLimits>;
  /** Target queries running at once across all queries of this engine. */
  concurrency?: number;
  /** Target queries running at once per backend instance. */
  backendConcurrency?: number;
  breaker?: Partial<BreakerOptions>;
  /** Clock for default time ranges and breakers; injectable for tests. */
  now?: () => number;
  /** Replaces the identity rank step (affinity batches). */
  rank?: Middleware;
  /** Extra steps, in order: plugins' layouts and plan hooks, and their results hooks. */
  steps?: EngineSteps;
}

export interface EngineSteps {
  /** Run after plan, before prune: they may change `targets` and add to `settled`. */
  afterPlan?: Middleware[];
  /** Run after fan-out, before merge: they may change `outcomes`. */
  beforeMerge?: Middleware[];
}

export interface QueryEngine {
  search(ctx: QueryContext, input: SearchInput): Promise<SearchResult>;
  /** Adds a hook run off the request path after each answer; returns its remover. */
  onAnswered(hook: AnsweredHook): () => void;
  readonly breakers: BreakerRegistry;
  readonly limits: QueryLimits;
}

export function compose(steps: Middleware[], last: Handler): Handler {
  return steps.reduceRight<Handler>((next, step) => step(next), last);
}

export function createQueryEngine(opts: EngineOptions = {}): QueryEngine {
  const now = opts.now ?? Date.now;
  const limits = checkLimits('engine option limits', { ...DEFAULT_LIMITS, ...opts.limits });
  const breakers = new BreakerRegistry({ ...DEFAULT_BREAKER, ...opts.breaker, now });
  const limiters = createLimiters(positive('concurrency', opts.concurrency ?? 64), positive('backendConcurrency', opts.backendConcurrency ?? 32));
  const hooks = new AfterHooks();
  const handler = compose(
    [
      after(hooks),
      measure,
      normalise(now),
      scope,
      plan,
      ...(opts.steps?.afterPlan ?? []),
      prune,
      opts.rank ?? rank,
      fanout({ limiters, breakers }),
      ...(opts.steps?.beforeMerge ?? []),
    ],
    merge,
  );
  return {
    search: async (ctx, input) => handler(ctx, { input, limits: ctx.limits ? checkLimits('context limits', { ...limits, ...ctx.limits }) : limits }),
    onAnswered: (hook) => hooks.add(hook),
    breakers,
    limits,
  };
}

/** Counts queries by outcome and times them; an aborted request ends as CANCELLED. */
const measure: Middleware = (next) => async (ctx, req) => {
  const stop = queryMetrics.querySeconds().startTimer();
  try {
    const result = await next(ctx, req);
    if (ctx.signal?.aborted) throw new LogfedError('CANCELLED', 'the search was cancelled', { cause: ctx.signal.reason });
    const failed = result.sources.some((s) => s.status === 'ERROR' || s.status === 'TIMEOUT');
    queryMetrics.queries().inc({ outcome: failed ? 'partial' : 'ok' });
    return result;
  } catch (err) {
    const e = toLogfedError(err);
    queryMetrics.queries().inc({ outcome: e.code === 'BAD_USER_INPUT' || e.code === 'LIMIT_EXCEEDED' ? 'rejected' : 'error' });
    throw e;
  } finally {
    stop();
  }
};

/** Every limit is a whole number >= 1 (retries >= 0); unknown names are refused, as a typo would be. */
function checkLimits(where: string, limits: QueryLimits): QueryLimits {
  for (const [key, v] of Object.entries(limits)) {
    if (!(key in DEFAULT_LIMITS)) throw new TypeError(`${where}: unknown limit ${key}; expected one of ${Object.keys(DEFAULT_LIMITS).join(', ')}`);
    const min = key === 'retries' ? 0 : 1;
    if (!Number.isSafeInteger(v) || v < min) throw new TypeError(`${where}.${key} must be an integer >= ${min}, got ${String(v)}`);
  }
  return limits;
}

function positive(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new TypeError(`engine option ${name} must be an integer >= 1, got ${String(v)}`);
  return v;
}
