// Orders a query's candidate apps into batches, likeliest first (seed 001 §2.2.4): batch 1 is the
// user's strongest candidate apps by user→app score, filled up to the batch size with the apps
// those are most coupled to (app↔app), and the rest follow. The query engine's rank step calls
// it between plan and fan-out; the fan-out runs batch 1 first. Two store round trips per query
// (three when a user's long history holds too few of the candidates among its strongest apps).

import { toLogfedError } from '../errors/index.js';
import { ProbeCache } from '../util/probe-cache.js';
import { affinityMetrics } from './metrics.js';
import { checkOptions, rules } from './options.js';
import { appKey, keyOf, type AffinityStore, type AppRef } from './store.js';
import { warnThrottled } from './warn.js';

export const DEFAULT_BATCH_SIZE = 30;
export const DEFAULT_USER_TOP = 15;
/**
 * Neighbours read per chosen app. A candidate outside an app's strongest 100 gets nothing from
 * that app; its share there is under 1/100, so the cut can only reorder apps far down the fill.
 */
export const DEFAULT_NEIGHBOUR_LIMIT = 100;
/**
 * The user's strongest apps read to find the chosen ones. A user's row is short next to a
 * domain's candidate list, so reading its head is far cheaper than looking up every candidate
 * (ZMSCORE over 1,000 members costs Redis and the client more than the rest of ranking). Only
 * when the row is longer than this and too few of its head are candidates are the candidates
 * looked up one by one, in a third round trip.
 */
export const DEFAULT_USER_SCAN = 256;

export interface RankInput {
  /** Absent for anonymous callers: the default order. */
  user?: string;
  candidates: readonly AppRef[];
  store: AffinityStore;
  batchSize?: number;
  /** How many apps batch 1 takes by user→app score before filling by app↔app (at most batchSize). */
  userTop?: number;
  neighbourLimit?: number;
  userScan?: number;
  /** appKey -> latest known data ts (epoch ms): the default order prefers fresh data. */
  recency?: ReadonlyMap<string, number>;
}

export interface RankResult {
  batches: AppRef[][];
  /** False when the order is the default one (no user, no history among the candidates, or the store failed). */
  usedAffinity: boolean;
}

// Domain, then app: NUL sorts below every name character, so one string comparison does both
// (with '/' between them, domain `a-b` would sort before domain `a`).
const nameKey = (ref: AppRef) => `${ref.domain}\u0000${ref.app}`;

// Fill scores are sums of products of shares, all in [0, 1]; rounding them makes scores that
// are equal in exact arithmetic equal in floating point, so they tie-break by the default order.
const quantise = (x: number) => Math.round(x * 1e12);

/** The order without history: most recent data first (unknown last), then domain and app name. */
export function defaultAppOrder(candidates: readonly AppRef[], recency?: ReadonlyMap<string, number>): AppRef[] {
  const { refs, order } = defaultOrder(candidates, recency);
  return order.map((i) => refs[i]!);
}

/** The default order cut into batches: what ranking falls back to. */
export function defaultBatches(candidates: readonly AppRef[], batchSize: number, recency?: ReadonlyMap<string, number>): AppRef[][] {
  return chunk(defaultAppOrder(candidates, recency), batchSize);
}

/** Candidates ranked: the distinct apps (first occurrence kept) and their positions, likeliest first. */
export interface RankedOrder {
  refs: readonly AppRef[];
  order: readonly number[];
  /** False when the order is the default one (no user, no history among the candidates, or the store failed). */
  usedAffinity: boolean;
}

/** The default order as positions among the distinct candidates. */
export function defaultOrder(candidates: readonly AppRef[], recency?: ReadonlyMap<string, number>): RankedOrder {
  const p = prepare(candidates);
  return { refs: p.refs, order: defaultIndexOrder(p, recency).order, usedAffinity: false };
}

/** A candidate list made distinct: its apps, their keys, key → position, and the positions in name order. */
interface Prepared {
  refs: readonly AppRef[];
  keys: readonly string[];
  index: ReadonlyMap<string, number>;
  /** Each position's rank by name. */
  byName: Int32Array;
  /** Positions in name order. */
  nameOrder: readonly number[];
}

/**
 * Prepared lists of frozen candidate arrays: a caller that hands the same frozen array query
 * after query (the query engine's rank step, while the topology stands) has it made distinct and
 * keyed once. A frozen array cannot change, and AppRefs are never changed once made.
 */
const preparedOf = new WeakMap<readonly AppRef[], Prepared>();

function prepare(candidates: readonly AppRef[]): Prepared {
  const frozen = Object.isFrozen(candidates);
  const known = frozen ? preparedOf.get(candidates) : undefined;
  if (known) return known;
  const index = new Map<string, number>();
  const refs: AppRef[] = [];
  for (const ref of candidates) {
    const key = keyOf(ref);
    if (!index.has(key)) {
      index.set(key, refs.length);
      refs.push(ref);
    }
  }
  const keys = [...index.keys()];
  const byName = nameRankOf(refs, keys);
  const nameOrder = new Array<number>(keys.length);
  for (let i = 0; i < byName.length; i++) nameOrder[byName[i]!] = i;
  const prepared = { refs, keys, index, byName, nameOrder };
  if (frozen) preparedOf.set(candidates, prepared);
  return prepared;
}

/**
 * Candidate lists repeat from query to query (a user's scope, a domain's apps), so the order by
 * name of the latest few is kept: each list's keys, in order, with each index's rank. A list is
 * found by its length and end keys, then compared key by key (the same strings, when the caller
 * hands the same AppRefs again: a pointer comparison each).
 */
const nameRanks = new ProbeCache<{ keys: readonly string[]; rank: Int32Array }>(32);

function nameRankOf(refs: readonly AppRef[], keys: readonly string[]): Int32Array {
  const n = keys.length;
  const probe = `${n}\u0001${keys[0]}\u0001${keys[n - 1]}`;
  const hit = nameRanks.find(probe, (e) => e.keys.every((k, i) => k === keys[i]));
  if (hit) return hit.rank;
  const names = refs.map(nameKey);
  const order = keys.map((_, i) => i).sort((x, y) => (names[x]! < names[y]! ? -1 : names[x]! > names[y]! ? 1 : 0));
  const rank = new Int32Array(n);
  for (let r = 0; r < n; r++) rank[order[r]!] = r;
  nameRanks.add(probe, { keys, rank });
  return rank;
}

/** Positions in the default order, and each position's place in it. */
function defaultIndexOrder({ keys, byName, nameOrder }: Prepared, recency?: ReadonlyMap<string, number>): { order: readonly number[]; rankOf: Int32Array } {
  if (!recency?.size) return { order: nameOrder, rankOf: byName };
  const fresh = new Float64Array(keys.length);
  for (let i = 0; i < keys.length; i++) fresh[i] = recency.get(keys[i]!) ?? -Infinity;
  // -Infinity - -Infinity is NaN, which is falsy: two apps without data tie on freshness. The
  // input is in name order, so the sort only moves what freshness moves.
  const order = nameOrder.slice().sort((x, y) => fresh[y]! - fresh[x]! || byName[x]! - byName[y]!);
  const rankOf = new Int32Array(order.length);
  for (let r = 0; r < order.length; r++) rankOf[order[r]!] = r;
  return { order, rankOf };
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  return batches;
}

/** Candidates with a user score, strongest first (ties by the default order), at most `userTop`. */
function pickChosen(userScores: Float64Array, rankOf: Int32Array, userTop: number): number[] {
  const chosen: number[] = [];
  for (let i = 0; i < userScores.length; i++) if (userScores[i] > 0) chosen.push(i);
  chosen.sort((x, y) => userScores[y] - userScores[x] || rankOf[x] - rankOf[y]);
  chosen.length = Math.min(chosen.length, userTop);
  return chosen;
}

export async function rankApps(input: RankInput): Promise<RankResult> {
  const { refs, order, usedAffinity } = await rankOrder(input);
  return { batches: chunk(order.map((i) => refs[i]!), input.batchSize ?? DEFAULT_BATCH_SIZE), usedAffinity };
}

/** rankApps as positions among the distinct candidates, likeliest first. */
export async function rankOrder(input: RankInput): Promise<RankedOrder> {
  checkOptions('rankApps', input, {
    user: rules.string,
    candidates: rules.list,
    store: rules.object,
    batchSize: rules.positiveInt,
    userTop: rules.count,
    neighbourLimit: rules.count,
    userScan: rules.positiveInt,
    recency: rules.map,
  });
  const { user, store, recency } = input;
  const batchSize = input.batchSize ?? DEFAULT_BATCH_SIZE;
  const userTop = Math.min(input.userTop ?? DEFAULT_USER_TOP, batchSize);
  const neighbourLimit = input.neighbourLimit ?? DEFAULT_NEIGHBOUR_LIMIT;
  const userScan = Math.max(input.userScan ?? DEFAULT_USER_SCAN, userTop);

  const prepared = prepare(input.candidates);
  const { refs, index } = prepared;
  const { order, rankOf } = defaultIndexOrder(prepared, recency);
  const fallback = (reason: string): RankedOrder => {
    affinityMetrics.fallbacks().inc({ reason });
    return { refs, order, usedAffinity: false };
  };
  if (refs.length === 0) return { refs, order, usedAffinity: false };
  if (!user) return fallback('no_user');

  let userScores: Float64Array;
  let chosen: number[];
  let neighbours: Awaited<ReturnType<AffinityStore['appNeighbours']>>;
  try {
    userScores = new Float64Array(refs.length);
    const head = await store.topUserApps(user, userScan);
    for (const { app, key, score } of head) {
      const i = index.get(key ?? appKey(app));
      if (i !== undefined) userScores[i] = score;
    }
    chosen = pickChosen(userScores, rankOf, userTop);
    // A candidate beyond the head scores no more than the head's weakest app, so the chosen are
    // exact unless the head was cut and held too few candidates.
    if (head.length === userScan && chosen.length < userTop) {
      userScores = Float64Array.from(await store.userAppScores(user, refs));
      chosen = pickChosen(userScores, rankOf, userTop);
    }
    if (chosen.length === 0) return fallback('no_history');
    neighbours = await store.appNeighbours(
      chosen.map((i) => refs[i]),
      neighbourLimit,
    );
  } catch (err) {
    warnThrottled({ err: toLogfedError(err) }, 'affinity store failed; ranking in the default order');
    return fallback('store_error');
  }

  // score(b) = Σₐ share_user(a) × share_app(a, b), a over the chosen apps:
  // share_user(a) = user→a / Σ user→chosen, share_app(a, b) = a↔b / Σ a↔*.
  const isChosen = new Uint8Array(refs.length);
  let userSum = 0;
  for (const i of chosen) {
    isChosen[i] = 1;
    userSum += userScores[i];
  }
  const fill = new Float64Array(refs.length);
  chosen.forEach((a, j) => {
    const { total, top } = neighbours[j];
    if (!(total > 0)) return;
    const weight = userScores[a] / userSum / total;
    for (const { app, key, score } of top) {
      const b = index.get(key ?? appKey(app));
      if (b !== undefined && !isChosen[b]) fill[b] += weight * score;
    }
  });

  // After the chosen apps: apps coupled to them by fill score, then the user's other apps by
  // user score, then everything else in the default order.
  const coupled: number[] = [];
  const known: number[] = [];
  const rest: number[] = [];
  for (const i of order) {
    if (isChosen[i]) continue;
    if (fill[i] > 0) {
      coupled.push(i);
      fill[i] = quantise(fill[i]);
    } else if (userScores[i] > 0) known.push(i);
    else rest.push(i);
  }
  coupled.sort((x, y) => fill[y] - fill[x] || userScores[y] - userScores[x] || rankOf[x] - rankOf[y]);
  known.sort((x, y) => userScores[y] - userScores[x] || rankOf[x] - rankOf[y]);
  return { refs, order: [...chosen, ...coupled, ...known, ...rest], usedAffinity: true };
}
