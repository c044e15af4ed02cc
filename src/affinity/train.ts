// Trains the affinity networks from one answered query (seed 001 §2.2.4). The query's after-hook
// calls it off the request path: the answer never waits for it and it never throws into the
// caller; a failure is logged and counted, and the next query trains again.

import { toLogfedError } from '../errors/index.js';
import { log } from '../observe/logger.js';
import { affinityMetrics } from './metrics.js';
import { appKey, parseAppKey, type AffinityStore, type AppRef } from './store.js';

/** The query named the app: the user means it. */
export const NAMED_APP_POINTS = 5;
/** A keyword query reached the app: weaker, it was not asked for by name. */
export const RESULT_APP_POINTS = 1;
/** Apps found together in one result set are likely on one call chain. */
export const PAIR_POINTS = 1;
/**
 * At most this many apps of one result set are paired (the most frequent in the rows, ties by
 * first appearance): a keyword that hits hundreds of apps says little about any pair, and k apps
 * make k(k-1)/2 pairs, so 50 bounds one training at 1,225 pair updates in 50 row writes.
 */
export const MAX_PAIRED_APPS = 50;

export interface TrainInput {
  /** Absent for anonymous callers: only the app↔app network learns. */
  user?: string;
  /** Apps the query named; any makes it a named query. */
  namedApps: readonly AppRef[];
  /** The app of each matching row (repeats allowed; they rank apps for the pair cap). */
  resultApps: readonly AppRef[];
}

export interface TrainOptions {
  maxPairedApps?: number;
}

/** `dropped`: the store was down and counted the writes it dropped. */
export type TrainOutcome = 'applied' | 'skipped' | 'dropped' | 'failed';

const tlog = log.child({ component: 'affinity' });

/** The apps to pair: the most frequent first, ties in order of first appearance. */
export function appsToPair(resultApps: readonly AppRef[], cap: number): AppRef[] {
  const counts = new Map<string, number>();
  for (const ref of resultApps) {
    const key = appKey(ref);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  // Map iteration keeps first-appearance order and Array#sort is stable.
  return [...counts.entries()]
    .sort((x, y) => y[1] - x[1])
    .slice(0, cap)
    .map(([key]) => parseAppKey(key));
}

/** Resolves with what it did; never rejects. */
export async function trainFromQuery(store: AffinityStore, input: TrainInput, options: TrainOptions = {}): Promise<TrainOutcome> {
  try {
    const { user, namedApps, resultApps } = input;
    const writes: Array<Promise<boolean>> = [];
    if (namedApps.length > 0) {
      if (user) writes.push(store.incrementUserApps(user, namedApps, NAMED_APP_POINTS));
    } else {
      if (user && resultApps.length > 0) writes.push(store.incrementUserApps(user, resultApps, RESULT_APP_POINTS));
      const paired = appsToPair(resultApps, options.maxPairedApps ?? MAX_PAIRED_APPS);
      if (paired.length > 1) writes.push(store.incrementAppPairs(paired, PAIR_POINTS));
    }
    if (writes.length === 0) {
      affinityMetrics.trainings().inc({ outcome: 'skipped' });
      return 'skipped';
    }
    const applied = await Promise.all(writes);
    const outcome = applied.every(Boolean) ? 'applied' : 'dropped';
    affinityMetrics.trainings().inc({ outcome });
    return outcome;
  } catch (err) {
    affinityMetrics.trainings().inc({ outcome: 'failed' });
    tlog.warn({ err: toLogfedError(err), user: input?.user }, 'affinity training failed');
    return 'failed';
  }
}
