// The shapes that flow through the query chain (chain.ts): what the GraphQL layer passes in
// (SearchInput, QueryContext), what each handler adds to the request on its way down
// (query -> access -> targets -> batches -> outcomes), and the answer that comes back up.

import type { LogEvent } from '../core/event.js';
import type { App, Logstore } from '../topology/types.js';
import type { BatchProgress, BatchReport } from './batches.js';
import type { CursorState } from './cursor.js';
import type { TargetRead } from './read.js';
import type { Adapter, EventFilter, Order, Target } from './types.js';

export interface SearchInput {
  domains?: string[];
  envs?: string[];
  apps?: string[];
  files?: string[];
  keywords?: string;
  levels?: string[];
  traceId?: string;
  /** Epoch ms, inclusive. */
  from?: number;
  /** Epoch ms, exclusive. */
  to?: number;
  regex?: string;
  order?: Order;
  first?: number;
  after?: string;
  /**
   * `affinity`: the rank step may split the targets into batches, likeliest apps first, one
   * batch per page (rank.ts). `all` (the default, what trace search and other internal callers
   * rely on): every target in one batch, one global time order.
   */
  strategy?: SearchStrategy;
}

export type SearchStrategy = 'affinity' | 'all';

/** What the planner needs from the topology; the topology's DataLoaders implement it per request. */
export interface TopologyReader {
  domainNames(): Promise<string[]>;
  logstoresByDomains(domains: readonly string[]): Promise<Logstore[]>;
  /** Apps configured or learned per domain (env-layout domains learn theirs from results). */
  appsByDomains?(domains: readonly string[]): Promise<App[]>;
}

/** What a caller may read. Absent means everything. */
export interface QueryScope {
  domains: string[] | '*';
  /** Per domain, the apps the caller may read; a domain not listed allows all its apps. */
  apps?: Record<string, string[]>;
}

/** Per-request limits; the engine's defaults apply to whatever a context leaves out. */
export interface QueryLimits {
  /** Widest [from, to) a query may span. */
  maxSpanMs: number;
  /** The span used when a query gives neither `from` nor `to` (it ends now). */
  defaultSpanMs: number;
  defaultFirst: number;
  maxFirst: number;
  /** Most targets one query may plan. */
  maxTargets: number;
  /** Wall time one target may take once it runs, retries included. */
  targetTimeoutMs: number;
  /** Most rows read from one target for one page when the gateway filters or sorts for it. */
  maxScanRows: number;
  retries: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

export const DEFAULT_LIMITS: QueryLimits = {
  maxSpanMs: 7 * 24 * 3600_000,
  defaultSpanMs: 3600_000,
  defaultFirst: 100,
  maxFirst: 1000,
  maxTargets: 5000,
  targetTimeoutMs: 10_000,
  maxScanRows: 20_000,
  retries: 2,
  retryBaseMs: 100,
  retryMaxMs: 1000,
};

export interface QueryContext {
  topology: TopologyReader;
  adapters: (backend: string) => Adapter | undefined;
  limits?: Partial<QueryLimits>;
  signal?: AbortSignal;
  user?: string;
  scope?: QueryScope;
}

export type SourceState = 'OK' | 'TIMEOUT' | 'ERROR' | 'SKIPPED' | 'CANCELLED';

export interface SourceStatus {
  logstore: string;
  domain: string;
  backend: string;
  status: SourceState;
  /** Matching rows the source returned for this page. */
  rows: number;
  /** Time the source ran (0 when it was never asked). */
  ms: number;
  error?: string;
  /** Why a source was skipped or cancelled. */
  reason?: string;
}

export interface Edge {
  cursor: string;
  event: LogEvent;
}

export interface SearchResult {
  edges: Edge[];
  pageInfo: { hasNextPage: boolean; endCursor?: string };
  sources: SourceStatus[];
  /** Which batch the page covered; absent when every target was searched at once. */
  batches?: BatchReport;
  /** The (domain, app) pairs the query's named apps resolved to in the plan (set by the rank step). */
  namedApps?: Array<{ domain: string; app: string }>;
}

/** The input once checked: defaults applied, names deduplicated, keywords parsed, regex compiled. */
export interface NormalisedQuery {
  domains?: string[];
  envs?: string[];
  apps?: string[];
  files?: string[];
  filter: EventFilter;
  order: Order;
  first: number;
  strategy: SearchStrategy;
  /** The user regex compiled once for the whole query. */
  regexMatcher?: (text: string) => boolean;
  /** Identifies the query for cursors; page size is not part of it. */
  fingerprint: string;
  /** Positions to resume from, decoded from `after`. */
  resume?: CursorState;
  /**
   * Ascending over a range that ends in the future: a target read to its end may still receive
   * events that belong to later pages, so it is asked again rather than skipped.
   */
  live: boolean;
}

/** The scope applied to the query: which domains to plan and which apps each may show. */
export interface Access {
  /** Undefined: every domain in the topology. */
  domains?: string[];
  /** Requested domains the caller may not read; reported as unknown. */
  deniedDomains: string[];
  apps?: Record<string, string[]>;
}

/** An (app, file) a more specific logstore serves; the gateway drops it from a broader one's hits. */
export interface Exclusion {
  app: string;
  /** Absent: the whole app. */
  file?: string;
}

export interface PlannedTarget {
  target: Target;
  /** Applied in the gateway whatever the adapter pushes down (adapters have no exclusion filter). */
  exclude?: Exclusion[];
  /** Position in the stable tie-break order (targets sorted by id). */
  rank: number;
}

export interface TargetOutcome {
  planned: PlannedTarget;
  status: SourceStatus;
  /** Present when the status is OK. */
  read?: TargetRead;
  /** Cancelled because it could not reach this page; it still holds events for later pages. */
  deferred?: boolean;
  /** Should have been read for this page but was not (failed, timed out, circuit open, aborted). */
  missed?: boolean;
}

export interface QueryRequest {
  input: SearchInput;
  limits?: QueryLimits;
  query?: NormalisedQuery;
  access?: Access;
  targets?: PlannedTarget[];
  /** Sources settled before fan-out (pruned, exhausted), one per target considered. */
  settled?: TargetOutcome[];
  /** Targets to run, batch by batch; a later batch starts when the one before has settled. */
  batches?: PlannedTarget[][];
  /** Targets left for a later page's batch: reported as skipped, never run or counted as run. */
  waiting?: TargetOutcome[];
  /** Set by a rank step that pages through batches; merge writes it into the cursors. */
  progress?: BatchProgress;
  outcomes?: TargetOutcome[];
}

export type Handler = (ctx: QueryContext, req: QueryRequest) => Promise<SearchResult>;
export type Middleware = (next: Handler) => Handler;
