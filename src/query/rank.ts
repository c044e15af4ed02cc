// Fifth step of the query chain: orders the targets into batches, likeliest first. `rank` (no
// affinity configured) searches every target at once. `createAffinityRank` groups the targets by
// (domain, app), ranks the apps with the affinity networks (src/affinity/rank.ts) and pages
// through the batches: each page covers one batch, batch 1 first, and `after` opens the next one
// once the batches opened so far are read to their end (merge.ts writes that into the cursor).
//
// Grouping: a target belongs to the app its logstore serves (app and file layouts) or to the apps
// an env-layout target is narrowed to, and is searched with the best-ranked of them. An env-layout
// target that the query does not narrow holds every app of its env, so no single app's score can
// place it: it joins the first batch opened. A domain has one such logstore per env, so this adds
// a handful of targets, and they may well hold the caller's likeliest apps.
//
// Time order: pages are time-ordered within a batch; a later batch's events may be newer than an
// earlier batch's. Strategy `all` (every target in one batch) gives one global order.

import { defaultBatches, DEFAULT_BATCH_SIZE, rankApps } from '../affinity/rank.js';
import { affinityMetrics } from '../affinity/metrics.js';
import { checkOptions, rules } from '../affinity/options.js';
import { appKey, keyOf, type AffinityStore, type AppRef } from '../affinity/store.js';
import { warnThrottled } from '../affinity/warn.js';
import { LogfedError, toLogfedError } from '../errors/index.js';
import type { BatchProgress } from './batches.js';
import { skipped } from './prune.js';
import type { Middleware, PlannedTarget, QueryRequest, SearchResult, TargetOutcome } from './request.js';
import type { Logstore } from '../topology/types.js';
import type { Target } from './types.js';

/** Every target in one batch. */
export const rank: Middleware = (next) => (ctx, req) => {
  if (!req.targets) throw new LogfedError('INTERNAL', 'rank runs after plan');
  return next(ctx, { ...req, batches: req.batches ?? [req.targets] });
};

/** The name the server gives callers without an identity; they share no history, so they are not ranked. */
export const ANONYMOUS_USER = 'anonymous';

/** The user whose history ranks and trains, or undefined for an anonymous caller. */
export const rankingUser = (user: string | undefined): string | undefined => (user && user !== ANONYMOUS_USER ? user : undefined);

export interface AffinityRankOptions {
  store: AffinityStore;
  /** Apps per batch. Default 30. */
  batchSize?: number;
  /** Apps batch 1 takes by user→app score before filling by app↔app. Default 15. */
  userTop?: number;
  /** The newest event time the engine has seen for an app key; with logstores' maxTs it orders apps without history. */
  recency?: (appKey: string) => number | undefined;
  /**
   * A ranking still unanswered after this uses the default order. The stores time out on their
   * own (the Redis store's reads after 100 ms); this bounds any store. Default 500 ms.
   */
  timeoutMs?: number;
}

export const DEFAULT_RANK_TIMEOUT_MS = 500;

/** The apps a target serves; none for an env-layout target the query does not narrow to apps. */
export function appsOf(t: Target): AppRef[] {
  if (t.apps?.length) return t.apps.map((app) => ({ domain: t.domain, app }));
  if (t.logstore.layout !== 'env' && t.logstore.app !== undefined) return [{ domain: t.domain, app: t.logstore.app }];
  return [];
}

export function createAffinityRank(options: AffinityRankOptions): Middleware {
  checkOptions('affinity rank', options, {
    store: rules.object,
    batchSize: rules.positiveInt,
    userTop: rules.count,
    recency: { expect: 'a function', ok: (v) => typeof v === 'function' },
    timeoutMs: rules.finitePositive,
  });
  const { store, userTop, recency } = options;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const timeoutMs = options.timeoutMs ?? DEFAULT_RANK_TIMEOUT_MS;
  // The app of each app- or file-layout logstore, one object per logstore for as long as the
  // topology holds it: ranking then meets the same candidates query after query (store.ts keyOf).
  const appOfStore = new WeakMap<Logstore, AppRef>();
  const storeApp = (t: Target): AppRef => {
    const app = t.logstore.app!;
    let ref = appOfStore.get(t.logstore);
    if (!ref || ref.domain !== t.domain || ref.app !== app) appOfStore.set(t.logstore, (ref = { domain: t.domain, app }));
    return ref;
  };

  /** The apps of the targets ranked into batches; never rejects, never waits past the timeout. */
  async function rankCandidates(user: string | undefined, candidates: AppRef[], fresh: Map<string, number>): Promise<AppRef[][]> {
    // One batch decides nothing: no store read.
    if (candidates.length <= batchSize) return [candidates];
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new LogfedError('TIMEOUT', `affinity ranking did not finish within ${timeoutMs} ms`)), timeoutMs);
      });
      const ranked = await Promise.race([rankApps({ user, candidates, store, batchSize, userTop, recency: fresh }), timeout]);
      return ranked.batches;
    } catch (err) {
      // rankApps falls back by itself when the store fails; what lands here took too long.
      affinityMetrics.fallbacks().inc({ reason: 'timeout' });
      warnThrottled({ err: toLogfedError(err) }, 'affinity ranking failed or timed out; ranking in the default order');
      return defaultBatches(candidates, batchSize, fresh);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The targets in batches, likeliest first; empty batches are dropped, but there is always one. */
  async function split(user: string | undefined, targets: PlannedTarget[]): Promise<PlannedTarget[][]> {
    // One candidate object per app; ranking hands the same objects back, so they key the batches.
    const candidates = new Map<string, AppRef>();
    const fresh = new Map<string, number>();
    const candidate = (app: AppRef, maxTs: number | undefined): AppRef => {
      const key = keyOf(app);
      let ref = candidates.get(key);
      if (!ref) {
        candidates.set(key, (ref = app));
        const seen = recency?.(key);
        if (seen !== undefined) fresh.set(key, seen);
      }
      if (maxTs !== undefined && maxTs > (fresh.get(key) ?? -Infinity)) fresh.set(key, maxTs);
      return ref;
    };
    // Per target: its app, its apps (an env-layout target narrowed to several), or none.
    const refsOf = targets.map(({ target: t }): AppRef | AppRef[] | undefined => {
      if (t.apps?.length) return t.apps.map((app) => candidate({ domain: t.domain, app }, t.logstore.maxTs));
      if (t.logstore.layout !== 'env' && t.logstore.app !== undefined) return candidate(storeApp(t), t.logstore.maxTs);
      return undefined;
    });
    const ranked = candidates.size ? await rankCandidates(user, [...candidates.values()], fresh) : [];
    const batchOf = new Map<AppRef, number>();
    for (let i = 0; i < ranked.length; i++) for (const ref of ranked[i]!) batchOf.set(ref, i);
    const out: PlannedTarget[][] = Array.from({ length: Math.max(ranked.length, 1) }, () => []);
    const last = out.length - 1;
    for (let i = 0; i < targets.length; i++) {
      const refs = refsOf[i];
      let b = 0;
      if (Array.isArray(refs)) b = Math.min(...refs.map((ref) => batchOf.get(ref) ?? last));
      else if (refs) b = batchOf.get(refs) ?? last;
      out[b]!.push(targets[i]!);
    }
    const kept = out.filter((batch) => batch.length);
    return kept.length ? kept : [[]];
  }

  /** Batches the unopened targets would fill, without ranking them. */
  function countBatches(rest: PlannedTarget[]): number {
    const apps = new Set(rest.flatMap((t) => appsOf(t.target).map(appKey)));
    return Math.ceil(apps.size / batchSize) || (rest.length ? 1 : 0);
  }

  return (next) => async (ctx, req) => {
    const { query, targets } = req;
    if (!query || !targets) throw new LogfedError('INTERNAL', 'rank runs after plan');
    const named = query.apps ? namedApps(query.apps, [...targets, ...(req.settled ?? []).map((o) => o.planned)]) : undefined;
    const answer = (r: SearchResult): SearchResult => (named ? { ...r, namedApps: named } : r);
    const resume = query.resume;
    // A cursor without batches was issued while every target was searched at once: go on so.
    if (query.strategy === 'all' || (resume && !resume.batches)) return answer(await next(ctx, { ...req, batches: [targets] }));

    const user = rankingUser(ctx.user);
    const prev = resume?.batches;
    const id = (t: PlannedTarget) => t.target.id;
    let step: Pick<QueryRequest, 'query' | 'batches' | 'waiting'> & { progress: BatchProgress };
    if (!prev) {
      const batches = await split(user, targets);
      step = {
        batches: [batches[0]!],
        waiting: waitingFor(batches, 1),
        progress: { opened: [batches[0]!.map(id)], total: batches.length, judged: false },
      };
    } else {
      const was = new Set(prev.opened.flat());
      const active = targets.filter((t) => was.has(id(t)));
      const rest = targets.filter((t) => !was.has(id(t)));
      if (prev.next && rest.length) {
        const batches = await split(user, rest);
        const opening = batches[0]!;
        const opened = [...prev.opened, opening.map(id)];
        // The cursor's boundary belongs to the batch before: the new targets read their whole range.
        const unbounded = new Set([...resume!.unbounded, ...opening.map(id)]);
        step = {
          query: { ...query, resume: { ...resume!, unbounded } },
          batches: [[...active, ...opening]],
          waiting: waitingFor(batches, opened.length),
          progress: { opened, total: opened.length + batches.length - 1, judged: prev.judged },
        };
      } else {
        step = {
          batches: [active],
          waiting: rest.map((t) => skipped(t, 'waits for a later batch')),
          progress: { opened: prev.opened, total: prev.opened.length + countBatches(rest), judged: prev.judged },
        };
      }
    }
    return answer(await next(ctx, { ...req, ...step }));
  };
}

/** Skipped outcomes for the batches after the first of `batches`, which is batch number `first`. */
function waitingFor(batches: PlannedTarget[][], first: number): TargetOutcome[] {
  const out: TargetOutcome[] = [];
  for (let i = 1; i < batches.length; i++) {
    const reason = `waits for batch ${first + i}`;
    for (const t of batches[i]!) out.push(skipped(t, reason));
  }
  return out;
}

/** The (domain, app) pairs the query's named apps resolved to among the planned targets. */
function namedApps(names: string[], planned: PlannedTarget[]): AppRef[] {
  const wanted = new Set(names);
  const found = new Map<string, AppRef>();
  for (const p of planned) for (const ref of appsOf(p.target)) if (wanted.has(ref.app)) found.set(appKey(ref), ref);
  return [...found.values()];
}
