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

import { DEFAULT_BATCH_SIZE, defaultOrder, rankOrder } from '../affinity/rank.js';
import { affinityMetrics } from '../affinity/metrics.js';
import { checkOptions, rules } from '../affinity/options.js';
import { appKey, keyOf, type AffinityStore, type AppRef } from '../affinity/store.js';
import { warnThrottled } from '../affinity/warn.js';
import { LogfedError, toLogfedError } from '../errors/index.js';
import { ProbeCache } from '../util/probe-cache.js';
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

/** Target lists whose grouping is kept, per ranking step. */
const GROUPINGS_KEPT = 32;

/** The distinct apps of a list of targets (frozen: ranking keeps what it derives from it), and each target's among them. */
interface Grouping {
  stores: readonly Logstore[];
  domains: readonly string[];
  candidates: readonly AppRef[];
  keys: readonly string[];
  /** Per target, the position of its app among the candidates, or -1: none, or several (below). */
  slot: Int32Array;
  /** The targets narrowed to several apps: their positions. */
  several: ReadonlyMap<number, number[]>;
}

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
  const groupings = new ProbeCache<Grouping>(GROUPINGS_KEPT);

  /** Where the targets' apps sit among the candidates ranked; never rejects, never waits past the timeout. */
  async function rankCandidates(user: string | undefined, candidates: readonly AppRef[], fresh: ReadonlyMap<string, number>): Promise<readonly number[]> {
    // One batch decides nothing: no store read.
    if (candidates.length <= batchSize) return candidates.map((_, i) => i);
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new LogfedError('TIMEOUT', `affinity ranking did not finish within ${timeoutMs} ms`)), timeoutMs);
      });
      return (await Promise.race([rankOrder({ user, candidates, store, batchSize, userTop, recency: fresh }), timeout])).order;
    } catch (err) {
      // rankOrder falls back by itself when the store fails; what lands here took too long.
      affinityMetrics.fallbacks().inc({ reason: 'timeout' });
      warnThrottled({ err: toLogfedError(err) }, 'affinity ranking failed or timed out; ranking in the default order');
      return defaultOrder(candidates, fresh).order;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The targets' distinct apps, and each target's among them. A list of targets that comes back
   * (the same logstores of the same domains, none narrowed to apps: a domain searched again while
   * its topology stands) is found among the last few and not grouped again; its frozen candidate
   * list lets ranking skip making it distinct too.
   */
  function groupingOf(targets: readonly PlannedTarget[]): Grouping {
    const n = targets.length;
    const narrowed = targets.some(({ target: t }) => t.apps?.length);
    const probe = n ? `${n}\u0001${targets[0]!.target.id}\u0001${targets[n - 1]!.target.id}` : '';
    if (!narrowed) {
      const hit = groupings.find(probe, (g) => targets.every(({ target: t }, i) => t.logstore === g.stores[i] && t.domain === g.domains[i]));
      if (hit) return hit;
    }
    const slots = new Map<string, number>();
    const candidates: AppRef[] = [];
    const slotOf = (app: AppRef): number => {
      const key = keyOf(app);
      let slot = slots.get(key);
      if (slot === undefined) {
        slots.set(key, (slot = candidates.length));
        candidates.push(app);
      }
      return slot;
    };
    const slot = new Int32Array(n).fill(-1);
    const several = new Map<number, number[]>();
    targets.forEach(({ target: t }, i) => {
      if (t.apps?.length) several.set(i, t.apps.map((app) => slotOf({ domain: t.domain, app })));
      else if (t.logstore.layout !== 'env' && t.logstore.app !== undefined) slot[i] = slotOf(storeApp(t));
    });
    const grouping: Grouping = {
      stores: targets.map((p) => p.target.logstore),
      domains: targets.map((p) => p.target.domain),
      candidates: Object.freeze(candidates),
      keys: candidates.map(keyOf),
      slot,
      several,
    };
    if (!narrowed) groupings.add(probe, grouping);
    return grouping;
  }

  /** The targets in batches, likeliest first; empty batches are dropped, but there is always one. */
  async function split(user: string | undefined, targets: PlannedTarget[]): Promise<PlannedTarget[][]> {
    const { candidates, keys, slot, several } = groupingOf(targets);
    // Fresh data first in the default order: what answers showed, or the logstore's newest event.
    const fresh = new Map<string, number>();
    if (recency) {
      for (let c = 0; c < keys.length; c++) {
        const seen = recency(keys[c]!);
        if (seen !== undefined) fresh.set(keys[c]!, seen);
      }
    }
    const newest = (c: number, maxTs: number | undefined) => {
      if (maxTs !== undefined && maxTs > (fresh.get(keys[c]!) ?? -Infinity)) fresh.set(keys[c]!, maxTs);
    };
    for (let i = 0; i < targets.length; i++) {
      const maxTs = targets[i]!.target.logstore.maxTs;
      if (maxTs === undefined) continue;
      if (slot[i]! >= 0) newest(slot[i]!, maxTs);
      else for (const c of several.get(i) ?? []) newest(c, maxTs);
    }
    const order = candidates.length ? await rankCandidates(user, candidates, fresh) : [];
    const batchOf = new Int32Array(candidates.length);
    for (let r = 0; r < order.length; r++) batchOf[order[r]!] = Math.floor(r / batchSize);
    const out: PlannedTarget[][] = Array.from({ length: Math.max(Math.ceil(order.length / batchSize), 1) }, () => []);
    for (let i = 0; i < targets.length; i++) {
      const apps = several.get(i);
      // An env-layout target not narrowed to apps joins batch 1; one narrowed to several, the best-ranked of them.
      const b = slot[i]! >= 0 ? batchOf[slot[i]!]! : apps ? Math.min(...apps.map((c) => batchOf[c]!)) : 0;
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
