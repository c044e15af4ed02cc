// Sixth step of the query chain: runs the targets against their adapters, batch by batch, and
// hands one outcome per target to the merge — OK with hits, or TIMEOUT, ERROR, SKIPPED
// (circuit open) or CANCELLED. A failed source never fails the query, and nothing hangs: each
// target settles on its own promise, whatever its adapter does with the signal.
//
// Concurrency is bounded per backend and globally (p-limit, shared by all queries of an engine);
// a target's timeout starts when it gets its slots. A target is cancelled, running or queued,
// when the request is aborted or when it can no longer reach this page: `first` hits are held
// that all come before anything its known time bounds allow (its position in the cursor counts
// as a bound). Retriable errors are retried with jittered backoff inside the timeout.

import pLimit, { type LimitFunction } from 'p-limit';
import { LogfedError, toLogfedError } from '../errors/index.js';
import { log } from '../observe/logger.js';
import { retry } from '../util/retry.js';
import type { BreakerRegistry } from './breaker.js';
import { resumeRange } from './cursor.js';
import { queryMetrics } from './metrics.js';
import { BestKeys, keyCompare, type HitKey } from './order.js';
import { localFilter, readTarget, type TargetRead } from './read.js';
import type { Middleware, NormalisedQuery, PlannedTarget, QueryContext, QueryLimits, SourceStatus, TargetOutcome } from './request.js';

const logger = log.child({ component: 'fanout' });

export interface Limiters {
  global: LimitFunction;
  backend(name: string): LimitFunction;
}

export function createLimiters(global: number, perBackend: number): Limiters {
  const byBackend = new Map<string, LimitFunction>();
  return {
    global: pLimit(global),
    backend(name) {
      let l = byBackend.get(name);
      if (!l) byBackend.set(name, (l = pLimit(perBackend)));
      return l;
    },
  };
}

export interface FanoutDeps {
  limiters: Limiters;
  breakers: BreakerRegistry;
}

type Why = 'timeout' | 'page' | 'request';
type Cancel = Exclude<Why, 'timeout'>;

interface Run {
  planned: PlannedTarget;
  /** Best key its hits could have; undefined when nothing but the query range bounds it. */
  bound?: HitKey;
  outcome?: TargetOutcome;
  settle(o: TargetOutcome): void;
  done: Promise<TargetOutcome>;
  controller?: AbortController;
  why?: Why;
}

export async function fanOut(
  ctx: QueryContext,
  query: NormalisedQuery,
  limits: QueryLimits,
  batches: PlannedTarget[][],
  deps: FanoutDeps,
): Promise<TargetOutcome[]> {
  const cmp = keyCompare(query.order);
  const runs = batches.map((b) => b.map((p) => newRun(p, boundOf(p, query))));
  const all = runs.flat();
  // Only targets with a bound of their own can be cancelled for the page; without any, holding
  // the best keys would be work for nothing.
  const bounded = all.filter((r) => r.bound).sort((a, b) => cmp(a.bound!, b.bound!));
  const best = bounded.length ? new BestKeys(query.first, cmp) : undefined;

  const cancel = (r: Run, why: Cancel) => {
    if (r.outcome) return;
    r.why ??= why;
    if (r.controller) r.controller.abort(new LogfedError('CANCELLED', reasonText(why, limits)));
    else r.settle(ended(r, 'CANCELLED', 0, reasonText(why, limits), why === 'page'));
  };
  const onAbort = () => all.forEach((r) => cancel(r, 'request'));
  ctx.signal?.addEventListener('abort', onAbort, { once: true });

  const heard = (r: Run, o: TargetOutcome) => {
    if (!best || !o.read) return;
    best.offerSorted(o.read.hits.map((_, seq) => ({ ts: o.read!.hits[seq]!.event.ts, rank: r.planned.rank, seq })));
    // Bounds sorted best first: once the worst pending one can still reach the page, all can.
    while (bounded.length && best.beats(bounded[bounded.length - 1]!.bound!)) cancel(bounded.pop()!, 'page');
  };

  try {
    if (ctx.signal?.aborted) onAbort();
    const outcomes: TargetOutcome[] = [];
    for (const batch of runs) {
      for (const r of batch) {
        const backend = r.planned.target.logstore.backend;
        void deps.limiters.backend(backend)(() => deps.limiters.global(() => execute(ctx, query, limits, deps, r)));
        void r.done.then((o) => heard(r, o));
      }
      outcomes.push(...(await Promise.all(batch.map((r) => r.done))));
    }
    return outcomes;
  } finally {
    ctx.signal?.removeEventListener('abort', onAbort);
  }
}

async function execute(ctx: QueryContext, query: NormalisedQuery, limits: QueryLimits, deps: FanoutDeps, r: Run): Promise<void> {
  if (r.outcome) return;
  const { target } = r.planned;
  const id = target.logstore.id;
  const adapter = ctx.adapters(target.logstore.backend);
  if (!adapter) return r.settle(ended(r, 'ERROR', 0, undefined, false, `no adapter is configured for backend "${target.logstore.backend}"`));
  const window = resumeRange(query.filter, query.order, query.resume, target.id);
  if (!window) return r.settle(ok(r, { hits: [], done: true, scanned: 0 }, 0));
  const admission = deps.breakers.admit(id);
  if (admission === 'reject') return r.settle(ended(r, 'SKIPPED', 0, 'circuit open'));

  const controller = (r.controller = new AbortController());
  const signal = controller.signal;
  const timer = setTimeout(() => {
    r.why ??= 'timeout';
    controller.abort(new LogfedError('TIMEOUT', reasonText('timeout', limits)));
  }, limits.targetTimeoutMs);
  const started = performance.now();
  const backend = target.logstore.backend;
  try {
    const filter = { ...query.filter, ...window };
    const { matches, filtersMore } = localFilter(adapter.capabilities, r.planned, filter, query.regexMatcher);
    const read = await abortable(
      readTarget({
        adapter,
        planned: r.planned,
        filter,
        order: query.order,
        from: query.resume?.positions.get(target.id),
        need: query.first,
        maxScanRows: limits.maxScanRows,
        signal,
        matches,
        filtersMore,
        search: (req) =>
          retry(() => abortable(adapter.search(req), signal), {
            retries: limits.retries,
            baseMs: limits.retryBaseMs,
            maxMs: limits.retryMaxMs,
            signal,
            onRetry: (err, attempt) => {
              queryMetrics.retries().inc({ backend });
              logger.debug({ err, logstore: id, attempt }, 'retrying backend query');
            },
          }),
      }),
      signal,
    );
    deps.breakers.success(id);
    r.settle(ok(r, read, performance.now() - started));
  } catch (err) {
    const ms = performance.now() - started;
    if (r.why === 'timeout') {
      deps.breakers.failure(id);
      r.settle(ended(r, 'TIMEOUT', ms, undefined, false, reasonText('timeout', limits)));
    } else if (r.why) {
      if (admission === 'probe') deps.breakers.release(id);
      r.settle(ended(r, 'CANCELLED', ms, reasonText(r.why, limits), r.why === 'page'));
    } else {
      const e = toLogfedError(err, 'BACKEND_ERROR');
      // A query the backend refuses as malformed says nothing about the backend's health.
      if (e.code === 'BAD_USER_INPUT') {
        if (admission === 'probe') deps.breakers.release(id);
      } else deps.breakers.failure(id);
      logger.warn({ err: e, logstore: id, backend }, 'backend query failed');
      r.settle(ended(r, 'ERROR', ms, undefined, false, e.message));
    }
  } finally {
    clearTimeout(timer);
    const o = r.outcome!;
    queryMetrics.targetSeconds().observe({ backend, status: o.status.status }, (performance.now() - started) / 1000);
  }
}

/**
 * The best key a target's remaining hits could have, from its logstore's known bounds and what
 * the cursor leaves of the range for it; undefined when only the query range bounds it.
 */
export function boundOf(p: PlannedTarget, query: Pick<NormalisedQuery, 'order' | 'resume' | 'filter'>): HitKey | undefined {
  const { minTs, maxTs } = p.target.logstore;
  const desc = query.order === 'desc';
  const window = query.resume ? resumeRange(query.filter, query.order, query.resume, p.target.id) : undefined;
  const edge = (desc ? [maxTs, window && window.to - 1] : [minTs, window?.from]).filter(isNum);
  if (!edge.length) return undefined;
  return { ts: desc ? Math.min(...edge) : Math.max(...edge), rank: p.rank, seq: -1 };
}

const isNum = (v: number | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

function newRun(planned: PlannedTarget, bound: HitKey | undefined): Run {
  let resolve!: (o: TargetOutcome) => void;
  const done = new Promise<TargetOutcome>((res) => (resolve = res));
  const r: Run = {
    planned,
    bound,
    done,
    settle(o) {
      if (r.outcome) return;
      r.outcome = o;
      resolve(o);
    },
  };
  return r;
}

function status(r: Run, state: SourceStatus['status'], rows: number, ms: number): SourceStatus {
  const { logstore, domain } = r.planned.target;
  return { logstore: logstore.id, domain, backend: logstore.backend, status: state, rows, ms: Math.round(ms) };
}

function ok(r: Run, read: TargetRead, ms: number): TargetOutcome {
  const s = status(r, 'OK', read.hits.length, ms);
  if (read.note) s.reason = read.note;
  return { planned: r.planned, status: s, read };
}

/** A target that ended without a read: deferred to a later page, or missed for this one. */
function ended(r: Run, state: SourceStatus['status'], ms: number, reason?: string, deferred = false, error?: string): TargetOutcome {
  const s = status(r, state, 0, ms);
  if (reason) s.reason = reason;
  if (error) s.error = error;
  return { planned: r.planned, status: s, ...(deferred ? { deferred } : { missed: true }) };
}

function reasonText(why: Why, limits: QueryLimits): string {
  if (why === 'timeout') return `timed out after ${limits.targetTimeoutMs} ms`;
  return why === 'page' ? 'cannot reach this page: a full page of hits that come before it is held' : 'request cancelled';
}

/** Settles with the signal's reason when it aborts, even if `p` never settles. */
function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export const fanout =
  (deps: FanoutDeps): Middleware =>
  (next) =>
  async (ctx, req) => {
    if (!req.query || !req.limits || !req.batches) throw new LogfedError('INTERNAL', 'fan-out runs after rank');
    const outcomes = await fanOut(ctx, req.query, req.limits, req.batches, deps);
    const targets = queryMetrics.targets();
    for (const o of [...(req.settled ?? []), ...outcomes]) targets.inc({ backend: o.status.backend, status: o.status.status });
    return next(ctx, { ...req, outcomes });
  };
