// The embedded pattern store: everything in maps of this process, lost on exit. The data object
// can be handed to a new store, which then sees what the old one wrote (the contract's restart
// case); the MySQL store keeps the same contract across real restarts.

import { badInput } from '../errors/index.js';
import { applyDelta, compareRecords, matchesQuery, mergeRecords, recordKey } from './records.js';
import {
  DEFAULT_MAX_SAMPLES,
  type Annotation,
  type HistoryBucket,
  type PatternQuery,
  type PatternRecord,
  type PatternStore,
  type SavedMiner,
} from './store.js';

export interface MemoryPatternData {
  records: Map<string, PatternRecord>;
  /** record key -> bucket start -> count */
  history: Map<string, Map<number, number>>;
  miners: Map<string, SavedMiner>;
}

export interface MemoryPatternStoreOptions {
  maxSamples?: number;
  data?: MemoryPatternData;
}

export function createMemoryPatternData(): MemoryPatternData {
  return { records: new Map(), history: new Map(), miners: new Map() };
}

export function checkMaxSamples(value: unknown): number {
  if (value === undefined) return DEFAULT_MAX_SAMPLES;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 100) {
    throw badInput(`pattern store option maxSamples: expected an integer in [1, 100], got ${JSON.stringify(value)}`);
  }
  return value;
}

// Records leave and enter by copy, so no caller can change what the store holds.
const copy = (r: PatternRecord): PatternRecord => structuredClone(r);

export function createMemoryPatternStore(opts: MemoryPatternStoreOptions = {}): PatternStore {
  const maxSamples = checkMaxSamples(opts.maxSamples);
  const data = opts.data ?? createMemoryPatternData();
  const { records, history, miners } = data;

  function addHistory(key: string, buckets: Iterable<[number, number]>): void {
    let h = history.get(key);
    if (!h) history.set(key, (h = new Map()));
    for (const [ts, n] of buckets) h.set(ts, (h.get(ts) ?? 0) + n);
  }

  return {
    async write({ merges, deltas }) {
      for (const m of merges) {
        const ids = [m.into, ...m.from.filter((id) => id !== m.into)];
        const keys = ids.map((id) => recordKey(m.domain, m.app, id));
        const parts = keys.flatMap((k) => records.get(k) ?? []);
        const merged = mergeRecords(m, parts, maxSamples);
        const intoKey = keys[0]!;
        for (const k of keys.slice(1)) {
          records.delete(k);
          const h = history.get(k);
          history.delete(k);
          if (h) addHistory(intoKey, h);
        }
        if (merged) records.set(intoKey, merged);
      }
      for (const d of deltas) {
        const key = recordKey(d.domain, d.app, d.patternId);
        records.set(key, applyDelta(records.get(key), d, maxSamples));
        addHistory(key, d.buckets);
      }
    },

    async list(q: PatternQuery) {
      const out: PatternRecord[] = [];
      for (const r of records.values()) if (matchesQuery(r, q)) out.push(r);
      return out.sort(compareRecords(q.order)).slice(0, q.limit).map(copy);
    },

    async get(domain, app, patternId) {
      const r = records.get(recordKey(domain, app, patternId));
      return r && copy(r);
    },

    async history(domain, app, patternId, from, to) {
      const h = history.get(recordKey(domain, app, patternId));
      const out: HistoryBucket[] = [];
      if (h) for (const [ts, count] of h) if (ts >= from && ts < to) out.push({ ts, count });
      return out.sort((a, b) => a.ts - b.ts);
    },

    async annotate(domain, app, patternId, annotation: Annotation) {
      const r = records.get(recordKey(domain, app, patternId));
      if (!r) return undefined;
      r.annotation = { ...annotation };
      return copy(r);
    },

    async saveMiners(list) {
      for (const m of list) miners.set(`${m.domain}\u0000${m.app}`, structuredClone(m));
    },

    async loadMiners() {
      return [...miners.values()].map((m) => structuredClone(m));
    },

    async pruneHistory(before) {
      let dropped = 0;
      for (const [key, h] of history) {
        for (const ts of h.keys()) {
          if (ts < before) {
            h.delete(ts);
            dropped++;
          }
        }
        if (h.size === 0) history.delete(key);
      }
      return dropped;
    },

    async close() {},
  };
}
