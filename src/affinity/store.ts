// The affinity store: user→app and app↔app scores learned from past queries (seed 001 §2.2.4).
// Training (train.ts) writes it after a query has been answered; ranking (rank.ts) reads it
// before fan-out. Implementations: memory-store.ts (embedded default) and redis-store.ts (shared).

/** An app is identified by its domain and its name. */
export interface AppRef {
  domain: string;
  app: string;
}

export interface ScoredApp {
  app: AppRef;
  score: number;
  /** appKey(app), when the store has it at hand: ranking looks candidates up by it. */
  key?: string;
}

/** One app's row of the app↔app matrix: its strongest neighbours and the sum over all of them. */
export interface Neighbours {
  /** Σ a↔* over every neighbour, including those cut from `top`; the denominator of a share. */
  total: number;
  /** Strongest first; ties in descending key order (as Redis's ZREVRANGE gives them). */
  top: ScoredApp[];
}

/**
 * Scores decay with the store's half-life: every read returns the value as of the store's clock.
 * Reads reject when the backing service cannot answer. Writes never reject for an outage: they
 * are dropped, counted, and resolve false; they reject only for amounts that could never apply.
 */
export interface AffinityStore {
  incrementUserApp(user: string, app: AppRef, by: number): Promise<boolean>;
  /** One round trip for all of them; duplicate apps count once. */
  incrementUserApps(user: string, apps: readonly AppRef[], by: number): Promise<boolean>;
  incrementAppPair(a: AppRef, b: AppRef, by: number): Promise<boolean>;
  /** Adds `by` to a↔b for every unordered pair of distinct apps in `apps`, in one round trip. */
  incrementAppPairs(apps: readonly AppRef[], by: number): Promise<boolean>;

  /** The user's strongest apps, strongest first. */
  topUserApps(user: string, n: number): Promise<ScoredApp[]>;
  /** user→app for each app asked, in the order asked; 0 where there is none. */
  userAppScores(user: string, apps: readonly AppRef[]): Promise<number[]>;
  /** For each app asked, in order, its `n` strongest neighbours and its row total; one round trip. */
  appNeighbours(apps: readonly AppRef[], n: number): Promise<Neighbours[]>;
  /** a↔b for each b asked, in order; 0 where there is none. */
  appPairScores(a: AppRef, bs: readonly AppRef[]): Promise<number[]>;
}

/**
 * The map key of an app: `domain/app`. Domain names cannot hold '/', so the first '/' splits it
 * back; the query engine keys its recency map with this too.
 */
export const appKey = (ref: AppRef): string => `${ref.domain}/${ref.app}`;

const keysOf = new WeakMap<AppRef, string>();

/**
 * appKey, remembered per AppRef object (AppRefs are never changed once made). Ranking sees the
 * same candidate objects query after query, so their keys are the same strings, hashed once.
 */
export function keyOf(ref: AppRef): string {
  let key = keysOf.get(ref);
  if (key === undefined) keysOf.set(ref, (key = appKey(ref)));
  return key;
}

export function parseAppKey(key: string): AppRef {
  const slash = key.indexOf('/');
  return { domain: key.slice(0, slash), app: key.slice(slash + 1) };
}

/** Distinct apps in first-seen order, as keys. */
export function distinctKeys(apps: readonly AppRef[]): string[] {
  return [...new Set(apps.map(appKey))];
}
