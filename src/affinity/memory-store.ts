// The in-process affinity store, the embedded default when no Redis is configured. Same
// contract as the Redis store (test/affinity-contract): same decay (decay.ts), same tie order.
// Several instances may share one state, as gateway replicas share one Redis.

import { DEFAULT_HALF_LIFE_MS, growth, needsRenormalise, PRUNE_BELOW, rowTtlMs } from './decay.js';
import { checkAmount, checkCount, checkOptions, rules } from './options.js';
import { appKey, distinctKeys, parseAppKey, type AffinityStore, type AppRef, type Neighbours, type ScoredApp } from './store.js';

interface Row {
  epoch: number;
  /** Σ of the stored (scaled) values. */
  total: number;
  scores: Map<string, number>;
  touched: number;
  /** Members strongest first; decay scales a whole row alike, so only writes invalidate it. */
  sorted?: string[];
}

export interface MemoryAffinityState {
  rows: Map<string, Row>;
}

export interface MemoryAffinityStoreOptions {
  /** Time for a score to halve; Infinity keeps scores forever. Default 30 days. */
  halfLifeMs?: number;
  /** Clock (epoch ms); injectable for tests. */
  now?: () => number;
  /** Shared with other instances, as replicas share one Redis. */
  state?: MemoryAffinityState;
}

export const createMemoryAffinityState = (): MemoryAffinityState => ({ rows: new Map() });

const userRow = (user: string) => `u:${user}`;
const appRow = (key: string) => `a:${key}`;

// Redis's ZREVRANGE order: score descending, ties by member descending.
const stronger = (row: Row) => (x: string, y: string) => row.scores.get(y)! - row.scores.get(x)! || (x < y ? 1 : x > y ? -1 : 0);

export function createMemoryAffinityStore(options: MemoryAffinityStoreOptions = {}): AffinityStore {
  checkOptions('memory affinity store', options, { halfLifeMs: rules.positive, now: rules.clock, state: rules.object });
  const halfLifeMs = options.halfLifeMs ?? DEFAULT_HALF_LIFE_MS;
  const now = options.now ?? Date.now;
  const ttl = rowTtlMs(halfLifeMs);
  const rows = (options.state ?? createMemoryAffinityState()).rows;

  function live(key: string, at: number): Row | undefined {
    const row = rows.get(key);
    if (row && ttl > 0 && at - row.touched > ttl) {
      rows.delete(key);
      return undefined;
    }
    return row;
  }

  function renormalise(row: Row, at: number): void {
    const shrink = 1 / growth(row.epoch, at, halfLifeMs);
    row.total = 0;
    for (const [member, value] of row.scores) {
      const v = value * shrink;
      if (v < PRUNE_BELOW) row.scores.delete(member);
      else {
        row.scores.set(member, v);
        row.total += v;
      }
    }
    row.epoch = at;
  }

  function add(key: string, members: readonly string[], by: number): void {
    if (members.length === 0) return;
    const at = now();
    let row = live(key, at);
    if (!row) rows.set(key, (row = { epoch: at, total: 0, scores: new Map(), touched: at }));
    if (needsRenormalise(row.epoch, at, halfLifeMs)) renormalise(row, at);
    const inc = by * growth(row.epoch, at, halfLifeMs);
    for (const member of members) row.scores.set(member, (row.scores.get(member) ?? 0) + inc);
    row.total += inc * members.length;
    row.touched = at;
    row.sorted = undefined;
  }

  function read(key: string, members: readonly AppRef[]): number[] {
    const at = now();
    const row = live(key, at);
    if (!row) return members.map(() => 0);
    const g = growth(row.epoch, at, halfLifeMs);
    return members.map((m) => (row.scores.get(appKey(m)) ?? 0) / g);
  }

  function top(key: string, n: number): { total: number; top: ScoredApp[] } {
    const at = now();
    const row = live(key, at);
    if (!row) return { total: 0, top: [] };
    row.sorted ??= [...row.scores.keys()].sort(stronger(row));
    const g = growth(row.epoch, at, halfLifeMs);
    return { total: row.total / g, top: row.sorted.slice(0, n).map((k) => ({ app: parseAppKey(k), key: k, score: row.scores.get(k)! / g })) };
  }

  const store: AffinityStore = {
    incrementUserApp: (user, app, by) => store.incrementUserApps(user, [app], by),
    async incrementUserApps(user, apps, by) {
      checkAmount(by);
      add(userRow(user), distinctKeys(apps), by);
      return true;
    },
    incrementAppPair: (a, b, by) => store.incrementAppPairs([a, b], by),
    async incrementAppPairs(apps, by) {
      checkAmount(by);
      const keys = distinctKeys(apps);
      if (keys.length >= 2) for (const key of keys) add(appRow(key), keys.filter((k) => k !== key), by);
      return true;
    },
    async topUserApps(user, n) {
      checkCount(n);
      return top(userRow(user), n).top;
    },
    async userAppScores(user, apps) {
      return read(userRow(user), apps);
    },
    async appNeighbours(apps, n): Promise<Neighbours[]> {
      checkCount(n);
      return apps.map((a) => top(appRow(appKey(a)), n));
    },
    async appPairScores(a, bs) {
      return read(appRow(appKey(a)), bs);
    },
  };
  return store;
}
