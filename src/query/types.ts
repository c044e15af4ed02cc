// The adapter contract: what the planner hands a backend driver and what it gets back.
// An adapter pushes down what it can (declared in `capabilities`); the gateway applies the rest.

import type { LogEvent } from '../core/event.js';
import type { Logstore } from '../topology/types.js';

export type Order = 'asc' | 'desc';

export interface KeywordQuery {
  /** Terms and quoted phrases that must all occur in the message. */
  include: string[];
  /** Terms and quoted phrases that must not occur. */
  exclude: string[];
}

/** The filter a query applies to events, backend-agnostic. Time is [from, to) in epoch ms. */
export interface EventFilter {
  from: number;
  to: number;
  keywords: KeywordQuery;
  levels?: string[];
  traceId?: string;
  /** A regex source, already checked for safety; matched against the message. */
  regex?: string;
}

/** A logstore plus the filter its layout implies (apps and files inside an env-layout store). */
export interface Target {
  id: string;
  logstore: Logstore;
  domain: string;
  env: string;
  apps?: string[];
  files?: string[];
}

export interface SearchRequest {
  target: Target;
  filter: EventFilter;
  order: Order;
  /** Return at most this many hits. */
  limit: number;
  /** Resume strictly after this position (a `pos` the same adapter returned for this target). */
  after?: string;
  signal: AbortSignal;
}

/** One event with an opaque, stable position from which the adapter can resume. */
export interface Hit {
  event: LogEvent;
  pos: string;
}

export interface SearchPage {
  hits: Hit[];
  /** True when the target holds no further matching events after the last hit. */
  done: boolean;
}

export interface AdapterCapabilities {
  /** Which parts of EventFilter the backend applies itself. Time range is always pushed down. */
  pushdown: {
    keywords: boolean;
    levels: boolean;
    traceId: boolean;
    regex: boolean;
    /** apps/files of an env-layout target */
    appFile: boolean;
  };
  /** Hits come back in the requested order. */
  sorts: boolean;
  /** `after` positions are honoured. */
  pages: boolean;
}

export interface Adapter {
  readonly kind: string;
  readonly capabilities: AdapterCapabilities;
  search(req: SearchRequest): Promise<SearchPage>;
  /** Optional cheap probe of the time bounds of a logstore (used to learn minTs/maxTs). */
  timeBounds?(logstore: Logstore, signal: AbortSignal): Promise<{ minTs?: number; maxTs?: number }>;
  close?(): Promise<void>;
}

export type AdapterFactory = (config: Record<string, unknown>) => Adapter;
