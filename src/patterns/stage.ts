// The live mining stage: each event gets the pattern and top pattern of its message from the
// miner of its (domain, app), as `fields.pattern` / `fields.topPattern`. Counts, first/last seen,
// samples and histogram buckets gather in memory; `flush` reports them to listeners and writes
// them to the store in one batch, off the hot path; `snapshot` saves the miners so a restart
// continues where this process stopped. It sits after the live tail (see mine-tail.ts).

import type { LogEvent } from '../core/event.js';
import { badInput } from '../errors/index.js';
import { createMiner, DEFAULT_OPTIONS, restoreMiner, type MineResult, type Miner, type MinerOptions } from '../miner/index.js';
import { log } from '../observe/logger.js';
import { counter } from '../observe/metrics.js';
import { recordKey } from './records.js';
import { DEFAULT_MAX_SAMPLES, type PatternCore, type PatternDelta, type PatternMerge, type PatternStore } from './store.js';

/** `count` is the hits this process knows of (its miner's, carried across restarts by the snapshot). */
export interface PatternUpdate extends PatternCore {
  /** new: an id this process had not seen (a new pattern, or a template that generalised); count: more hits. */
  kind: 'new' | 'count';
  /** Hits since the previous update of this pattern. */
  delta: number;
  sample: string;
  /** Ids folded into this pattern since its previous update; they are aliases of it from now on. */
  merged: string[];
}

export type PatternListener = (updates: readonly PatternUpdate[]) => void;

export interface PatternStageOptions {
  store: PatternStore;
  /** Clock (epoch ms) for events without a usable timestamp and for history retention. */
  clock?: () => number;
  /** Options of each app's miner; an app restored from a snapshot keeps the options it was saved with. */
  miner?: Partial<MinerOptions>;
  /** Raw samples collected per pattern; should match the store's cap. */
  maxSamples?: number;
  /** Width of a histogram bucket. */
  bucketMs?: number;
  /** History older than this is dropped by `prune`. */
  historyRetentionMs?: number;
  /** Unwritten batches kept while the store fails; past it the oldest is dropped and counted. */
  maxQueuedBatches?: number;
}

export interface PatternStage {
  push(event: LogEvent): LogEvent;
  /** Reports what changed since the last flush to listeners, then writes it to the store. */
  flush(): Promise<void>;
  /** Saves the miner of every app that learned something since the last snapshot. */
  snapshot(): Promise<void>;
  /** Loads the saved miners; call before the first push. Returns how many apps were restored. */
  restore(): Promise<number>;
  /** Drops history older than the retention. */
  prune(): Promise<number>;
  onUpdates(listener: PatternListener): () => void;
  /** The live id an old id of that app folded into (the id itself when live or unknown). */
  resolve(domain: string, app: string, patternId: string): string;
  stats(): PatternStageStats;
}

export interface PatternStageStats {
  events: number;
  apps: number;
  queuedBatches: number;
  droppedBatches: number;
  failedWrites: number;
}

interface Live {
  template: string;
  topPatternId: string;
  count: number;
  firstSeen: number;
  lastSeen: number;
  samples: string[];
}

interface AppState {
  domain: string;
  app: string;
  miner: Miner;
  live: Map<string, Live>;
  dirty: boolean;
}

interface Pending {
  st: AppState;
  patternId: string;
  fresh: boolean;
  count: number;
  firstSeen: number;
  lastSeen: number;
  samples: string[];
  buckets: Map<number, number>;
  merged: string[];
}

interface Batch {
  merges: PatternMerge[];
  deltas: PatternDelta[];
}

const MAX_NAME = 128;
const clip = (s: unknown) => (typeof s === 'string' ? (s.length > MAX_NAME ? s.slice(0, MAX_NAME) : s) : String(s ?? ''));

const mined = counter('logfed_patterns_events_total', 'Events mined into patterns');
const created = counter('logfed_patterns_created_total', 'Patterns created by the live miners');
const writeFailures = counter('logfed_patterns_write_failures_total', 'Pattern batches the store refused (kept and retried)');
const droppedBatches = counter('logfed_patterns_batches_dropped_total', 'Pattern batches dropped while the store was failing');

function positiveInt(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw badInput(`pattern stage option ${name}: expected a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function createPatternStage(opts: PatternStageOptions): PatternStage {
  const { store } = opts;
  const clock = opts.clock ?? Date.now;
  const minerOptions: Partial<MinerOptions> = { maxPatterns: 5_000, cacheSize: 5_000, ...opts.miner };
  createMiner(minerOptions); // checks the options now, naming a bad field, rather than at the first event
  const sampleLength = minerOptions.maxSampleLength ?? DEFAULT_OPTIONS.maxSampleLength;
  const maxSamples = positiveInt('maxSamples', opts.maxSamples, DEFAULT_MAX_SAMPLES);
  const bucketMs = positiveInt('bucketMs', opts.bucketMs, 60_000);
  const retentionMs = positiveInt('historyRetentionMs', opts.historyRetentionMs, 7 * 24 * 3600_000);
  const maxQueued = positiveInt('maxQueuedBatches', opts.maxQueuedBatches, 300);

  const apps = new Map<string, AppState>();
  const listeners = new Set<PatternListener>();
  let pending = new Map<string, Pending>();
  let merges: PatternMerge[] = [];
  const queue: Batch[] = [];
  let writing: Promise<void> | undefined;
  const counts = { events: 0, droppedBatches: 0, failedWrites: 0 };

  function appState(domain: string, app: string): AppState {
    const key = `${domain}\u0000${app}`;
    let st = apps.get(key);
    if (!st) apps.set(key, (st = { domain, app, miner: createMiner(minerOptions), live: new Map(), dirty: false }));
    return st;
  }

  function pendingFor(st: AppState, patternId: string, fresh: boolean): Pending {
    const key = recordKey(st.domain, st.app, patternId);
    let p = pending.get(key);
    if (!p) {
      p = { st, patternId, fresh, count: 0, firstSeen: Infinity, lastSeen: -Infinity, samples: [], buckets: new Map(), merged: [] };
      pending.set(key, p);
    }
    return p;
  }

  /** The miner folded `r.mergedPatternIds` into `r.patternId`: live counts and pending deltas follow. */
  function fold(st: AppState, r: MineResult, merged: readonly string[]): void {
    let into = st.live.get(r.patternId);
    const target = pendingFor(st, r.patternId, !into);
    for (const id of merged) {
      const old = st.live.get(id);
      if (old) {
        st.live.delete(id);
        if (!into) st.live.set(r.patternId, (into = { ...old, samples: [...old.samples] }));
        else {
          into.count += old.count;
          into.firstSeen = Math.min(into.firstSeen, old.firstSeen);
          into.lastSeen = Math.max(into.lastSeen, old.lastSeen);
          for (const s of old.samples) if (into.samples.length < maxSamples && !into.samples.includes(s)) into.samples.push(s);
        }
      }
      const key = recordKey(st.domain, st.app, id);
      const p = pending.get(key);
      if (p) {
        pending.delete(key);
        target.count += p.count;
        target.firstSeen = Math.min(target.firstSeen, p.firstSeen);
        target.lastSeen = Math.max(target.lastSeen, p.lastSeen);
        for (const s of p.samples) if (!target.samples.includes(s)) target.samples.push(s);
        for (const [b, n] of p.buckets) target.buckets.set(b, (target.buckets.get(b) ?? 0) + n);
        target.merged.push(...p.merged);
      }
      target.merged.push(id);
    }
    merges.push({ domain: st.domain, app: st.app, from: [...merged], into: r.patternId, template: r.template, topPatternId: r.topPatternId });
  }

  /** Eviction in the miner leaves live entries behind; they go once they outnumber the miner's patterns. */
  function trimLive(st: AppState): void {
    if (st.live.size <= 2 * st.miner.stats().patterns + 100) return;
    const keep = new Set(st.miner.patterns().map((p) => p.id));
    for (const id of st.live.keys()) if (!keep.has(id)) st.live.delete(id);
  }

  function push(event: LogEvent): LogEvent {
    const st = appState(clip(event.domain), clip(event.app));
    const message = typeof event.message === 'string' ? event.message : String(event.message ?? '');
    const ts = Number.isFinite(event.ts) ? event.ts : clock();
    const r = st.miner.add(message, ts);
    st.dirty = true;
    counts.events++;
    mined.inc();
    if (r.mergedPatternIds) fold(st, r, r.mergedPatternIds);
    let live = st.live.get(r.patternId);
    const fresh = !live;
    if (!live) {
      st.live.set(r.patternId, (live = { template: r.template, topPatternId: r.topPatternId, count: 0, firstSeen: ts, lastSeen: ts, samples: [] }));
      if (r.change === 'created') {
        created.inc();
        trimLive(st);
      }
    }
    live.template = r.template;
    live.topPatternId = r.topPatternId;
    live.count++;
    live.firstSeen = Math.min(live.firstSeen, ts);
    live.lastSeen = Math.max(live.lastSeen, ts);
    const p = pendingFor(st, r.patternId, fresh);
    p.count++;
    p.firstSeen = Math.min(p.firstSeen, ts);
    p.lastSeen = Math.max(p.lastSeen, ts);
    const bucket = Math.floor(ts / bucketMs) * bucketMs;
    p.buckets.set(bucket, (p.buckets.get(bucket) ?? 0) + 1);
    if (live.samples.length < maxSamples) {
      const sample = message.slice(0, sampleLength);
      if (!live.samples.includes(sample)) {
        live.samples.push(sample);
        p.samples.push(sample);
      }
    }
    return { ...event, fields: { ...event.fields, pattern: r.patternId, topPattern: r.topPatternId } };
  }

  function take(): { updates: PatternUpdate[]; batch: Batch } {
    const updates: PatternUpdate[] = [];
    const deltas: PatternDelta[] = [];
    for (const p of pending.values()) {
      const live = p.st.live.get(p.patternId);
      if (!live || p.count === 0) continue;
      const { domain, app } = p.st;
      updates.push({
        kind: p.fresh ? 'new' : 'count',
        domain,
        app,
        patternId: p.patternId,
        template: live.template,
        topPatternId: live.topPatternId,
        count: live.count,
        delta: p.count,
        firstSeen: live.firstSeen,
        lastSeen: live.lastSeen,
        sample: live.samples[0] ?? '',
        merged: p.merged,
      });
      deltas.push({
        domain,
        app,
        patternId: p.patternId,
        template: live.template,
        topPatternId: live.topPatternId,
        count: p.count,
        firstSeen: p.firstSeen,
        lastSeen: p.lastSeen,
        samples: p.samples.slice(0, maxSamples),
        buckets: [...p.buckets],
      });
    }
    const batch = { merges, deltas };
    pending = new Map();
    merges = [];
    return { updates, batch };
  }

  // Batches are written strictly in order: a later batch's merges may name ids an earlier one wrote.
  async function drain(): Promise<void> {
    while (queue.length > 0) {
      try {
        await store.write(queue[0]!);
        queue.shift();
      } catch (err) {
        counts.failedWrites++;
        writeFailures.inc();
        log.warn({ err, queued: queue.length }, 'patterns: the store refused a batch; keeping it for the next flush');
        return;
      }
    }
  }

  return {
    push,

    async flush() {
      const { updates, batch } = take();
      if (updates.length > 0) {
        for (const listener of listeners) {
          try {
            listener(updates);
          } catch (err) {
            log.warn({ err }, 'patterns: an update listener failed');
          }
        }
      }
      if (batch.deltas.length > 0 || batch.merges.length > 0) {
        queue.push(batch);
        while (queue.length > maxQueued) {
          queue.shift();
          counts.droppedBatches++;
          droppedBatches.inc();
        }
      }
      // One writer at a time; a flush that finds one running waits for it, then drains what is left.
      while (writing) await writing;
      writing = drain().finally(() => (writing = undefined));
      await writing;
    },

    async snapshot() {
      const dirty = [...apps.values()].filter((st) => st.dirty);
      if (dirty.length === 0) return;
      for (const st of dirty) st.dirty = false;
      try {
        await store.saveMiners(dirty.map((st) => ({ domain: st.domain, app: st.app, state: st.miner.snapshot() })));
      } catch (err) {
        for (const st of dirty) st.dirty = true;
        throw err;
      }
    },

    async restore() {
      let restored = 0;
      for (const saved of await store.loadMiners()) {
        const key = `${saved.domain}\u0000${saved.app}`;
        if (apps.has(key)) continue;
        let miner: Miner;
        try {
          miner = restoreMiner(saved.state);
        } catch (err) {
          log.warn({ err, domain: saved.domain, app: saved.app }, 'patterns: a saved miner could not be restored; that app starts afresh');
          continue;
        }
        const live = new Map<string, Live>();
        for (const p of miner.patterns()) {
          live.set(p.id, {
            template: p.template,
            topPatternId: p.topPatternId,
            count: p.count,
            firstSeen: p.firstSeen ?? 0,
            lastSeen: p.lastSeen ?? 0,
            samples: [p.sample],
          });
        }
        apps.set(key, { domain: saved.domain, app: saved.app, miner, live, dirty: false });
        restored++;
      }
      return restored;
    },

    prune: () => store.pruneHistory(clock() - retentionMs),

    onUpdates(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    resolve(domain, app, patternId) {
      return apps.get(`${domain}\u0000${app}`)?.miner.resolve(patternId) ?? patternId;
    },

    stats() {
      return { events: counts.events, apps: apps.size, queuedBatches: queue.length, droppedBatches: counts.droppedBatches, failedWrites: counts.failedWrites };
    },
  };
}
