// Shapes shared by the template miner and its callers: the options it is built with, what one
// `add` reports, the pattern listing and the plain-JSON state that `snapshot` writes and
// `restoreMiner` reads back.

/** The variable marker inside templates, as in Drain and the log-parsing benchmarks. */
export const WILDCARD = '<*>';

export interface MinerOptions {
  /**
   * Share of a message's tokens that must agree with a pattern (equal, or covered by a
   * wildcard) before differing value-like tokens are generalised into it.
   */
  similarity: number;
  /**
   * How many distinct plain words one position may take, all else equal, before those
   * sibling patterns fold into one with a wildcard there. Below it, words such as states
   * (`RUNNING` / `STOPPED`) keep their own patterns; above it they are treated as values.
   */
  maxSiblings: number;
  /** Tokens kept per message; the rest become one trailing wildcard and are counted. */
  maxTokens: number;
  /** Longer tokens are taken as opaque values (blobs, base64) and masked whole. */
  maxTokenLength: number;
  /** Characters of a message looked at; the tail of a longer one is cut and counted. */
  maxMessageLength: number;
  /** Length kept of the sample message stored with each pattern. */
  maxSampleLength: number;
  /** Exact masked messages remembered for the fast path; the cache is cleared when full. */
  cacheSize: number;
  /** Patterns kept; past it the least recently hit tenth is dropped (a flood of garbage). */
  maxPatterns: number;
}

export type Change = 'created' | 'updated' | 'none';

export interface MineResult {
  patternId: string;
  template: string;
  /** created: a new pattern; updated: a pattern generalised to take this message; none. */
  change: Change;
  topPatternId: string;
  /** When a template generalised, the id it had before (now an alias of `patternId`). */
  previousPatternId?: string;
  /** Every id that this call folded into `patternId` (they are aliases of it from now on). */
  mergedPatternIds?: string[];
}

export interface PatternInfo {
  id: string;
  template: string;
  count: number;
  topPatternId: string;
  topTemplate: string;
  /** Timestamps as the caller passed them to `add`; the miner has no clock. */
  firstSeen?: number;
  lastSeen?: number;
  sample: string;
}

export interface MinerStats {
  messages: number;
  patterns: number;
  /** Tokens dropped past `maxTokens`. */
  truncatedTokens: number;
  /** Messages cut at `maxMessageLength` or `maxTokens`. */
  truncatedMessages: number;
  /** Tokens longer than `maxTokenLength`, masked whole. */
  longTokens: number;
  /** Patterns folded or absorbed into a more general one. */
  merges: number;
  /** Patterns dropped past `maxPatterns`. */
  evicted: number;
}

export interface PatternState {
  id: string;
  tokens: string[];
  count: number;
  top: string[];
  firstSeen?: number;
  lastSeen?: number;
  sample: string;
}

/** Everything needed to continue mining after a restart; plain JSON. */
export interface MinerState {
  version: 1;
  options: MinerOptions;
  patterns: PatternState[];
  /** [old id, the id it generalised into] */
  aliases: Array<[string, string]>;
  stats: MinerStats;
}
