// The pattern store: what the live mining stage learns per (domain, app) — each pattern's
// template, counts, first/last seen, a few raw samples, a per-bucket count history and the
// annotation engineers add — plus each app's miner state, so mining resumes after a restart.
// Implementations: memory-store.ts (embedded) and mysql-store.ts; one contract for both.

import type { MinerState } from '../miner/index.js';

export interface Annotation {
  label?: string;
  cause?: string;
  advice?: string;
  author: string;
  /** Epoch ms. */
  at: number;
}

/** What every view of a pattern says: whose it is, its template and how often and when it was seen. */
export interface PatternCore {
  domain: string;
  app: string;
  /** The miner's id: a hash of the template, stable across processes and restarts. */
  patternId: string;
  template: string;
  topPatternId: string;
  count: number;
  firstSeen: number;
  lastSeen: number;
}

export interface PatternRecord extends PatternCore {
  /** A few distinct raw messages, oldest first, at most the store's `maxSamples`. */
  samples: string[];
  annotation?: Annotation;
}

/** What one flush adds to a pattern: `count` hits since the last flush, new samples and history buckets. */
export interface PatternDelta extends PatternCore {
  samples: string[];
  /** [bucket start (epoch ms), count] */
  buckets: Array<[number, number]>;
}

/** The miner folded `from` into `into` (a generalised template): their counts, samples, history and annotation follow. */
export interface PatternMerge {
  domain: string;
  app: string;
  from: string[];
  into: string;
  template: string;
  topPatternId: string;
}

export type PatternOrder = 'count' | 'recent' | 'new';

export interface PatternQuery {
  domains?: readonly string[];
  apps?: readonly string[];
  topPatternId?: string;
  /** A substring of the template. */
  text?: string;
  /** Only patterns with (true) or without (false) an annotation. */
  labelled?: boolean;
  /** Only patterns seen at or after this time (epoch ms). */
  seenSince?: number;
  order: PatternOrder;
  limit: number;
}

export interface HistoryBucket {
  /** Bucket start, epoch ms. */
  ts: number;
  count: number;
}

export interface SavedMiner {
  domain: string;
  app: string;
  state: MinerState;
}

export interface PatternStore {
  /** Applies merges first (in order), then deltas; all or nothing where the backend allows. */
  write(batch: { merges: readonly PatternMerge[]; deltas: readonly PatternDelta[] }): Promise<void>;
  list(query: PatternQuery): Promise<PatternRecord[]>;
  get(domain: string, app: string, patternId: string): Promise<PatternRecord | undefined>;
  /** Stored buckets of a pattern with from <= ts < to, in time order (empty buckets are absent). */
  history(domain: string, app: string, patternId: string, from: number, to: number): Promise<HistoryBucket[]>;
  /** Replaces the annotation; undefined when the pattern is unknown. */
  annotate(domain: string, app: string, patternId: string, annotation: Annotation): Promise<PatternRecord | undefined>;
  saveMiners(miners: readonly SavedMiner[]): Promise<void>;
  loadMiners(): Promise<SavedMiner[]>;
  /** Drops history buckets that start before `before`; returns how many went. */
  pruneHistory(before: number): Promise<number>;
  close(): Promise<void>;
}

export const DEFAULT_MAX_SAMPLES = 5;
