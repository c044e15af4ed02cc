// The GraphQL documents the console sends and the shapes it reads back, written against the
// gateway's SDL (schema/*.graphql). Only what the pages show is asked for.

export interface LogEvent {
  ts: string;
  domain: string;
  env: string;
  app: string;
  file: string;
  host?: string | null;
  level?: string | null;
  traceId?: string | null;
  message: string;
}

export type SourceStatus = 'OK' | 'TIMEOUT' | 'ERROR' | 'SKIPPED' | 'CANCELLED';

export interface Source {
  logstore: string;
  domain: string;
  backend: string;
  status: SourceStatus;
  rows: number;
  ms: number;
  error?: string | null;
  reason?: string | null;
}

const EVENT = 'ts domain env app file host level traceId message';
const SOURCE = 'logstore domain backend status rows ms error reason';

export interface Topology {
  domains: { name: string; description?: string | null; envs: string[]; apps: { name: string; files: string[] }[] }[];
}
export const TOPOLOGY = `{ domains { name description envs apps { name files } } }`;

export interface LogsPage {
  logs: {
    edges: { node: LogEvent }[];
    pageInfo: { hasNextPage: boolean; endCursor?: string | null };
    sources: Source[];
    batch: number;
    batches: number;
    hasMoreBatches: boolean;
  };
}
export const LOGS = `query Logs($query: LogQuery!, $first: Int, $after: String, $strategy: SearchStrategy) {
  logs(query: $query, first: $first, after: $after, strategy: $strategy) {
    edges { node { ${EVENT} } }
    pageInfo { hasNextPage endCursor }
    sources { ${SOURCE} }
    batch batches hasMoreBatches
  }
}`;

export interface TraceHop {
  domain: string;
  traceId: string;
  first?: string | null;
  last?: string | null;
  events: LogEvent[];
}
export interface TraceResult {
  trace: { traceId: string; hops: TraceHop[]; sources: Source[] };
}
export const TRACE = `query Trace($traceId: String!, $from: DateTime, $to: DateTime) {
  trace(traceId: $traceId, from: $from, to: $to) {
    traceId
    hops { domain traceId first last events { ${EVENT} } }
    sources { ${SOURCE} }
  }
}`;

export interface TailEvent extends LogEvent {
  dropped: number;
}
export const TAIL = `subscription Tail($filter: TailFilter!) { tail(filter: $filter) { ${EVENT} dropped } }`;

export interface Annotation {
  label?: string | null;
  cause?: string | null;
  advice?: string | null;
  author: string;
  at: string;
}
export interface Bucket {
  ts: string;
  count: number;
}
/** What a stored pattern and a live update of it share. */
interface PatternFacts {
  id: string;
  domain: string;
  app: string;
  template: string;
  topPatternId: string;
  count: number;
  firstSeen: string;
  lastSeen: string;
}
export interface Pattern extends PatternFacts {
  annotation?: Annotation | null;
  histogram: Bucket[];
}
export interface PatternDetail extends Pattern {
  samples: string[];
}
const ANNOTATION = 'annotation { label cause advice author at }';
const PATTERN = `id domain app template topPatternId count firstSeen lastSeen ${ANNOTATION}`;

export interface PatternList {
  patterns: Pattern[];
}
export const PATTERNS = `query Patterns($filter: PatternFilter, $orderBy: PatternOrder, $first: Int, $from: DateTime, $bucket: Int) {
  patterns(filter: $filter, orderBy: $orderBy, first: $first) { ${PATTERN} histogram(from: $from, bucketMinutes: $bucket) { ts count } }
}`;

export interface PatternOne {
  pattern: PatternDetail | null;
}
export const PATTERN_ONE = `query Pattern($id: ID!, $from: DateTime, $bucket: Int) {
  pattern(id: $id) { ${PATTERN} samples histogram(from: $from, bucketMinutes: $bucket) { ts count } }
}`;

export const ANNOTATE = `mutation Annotate($id: ID!, $label: String, $cause: String, $advice: String) {
  annotatePattern(id: $id, label: $label, cause: $cause, advice: $advice) { id ${ANNOTATION} }
}`;

export interface PatternUpdate extends PatternFacts {
  kind: 'NEW' | 'COUNT';
  delta: number;
  merged: string[];
}
export const PATTERN_UPDATES = `subscription PatternUpdates($filter: PatternFilter) {
  patterns(filter: $filter) { kind id domain app template topPatternId count delta firstSeen lastSeen merged }
}`;

export interface ExceptionFinding {
  kind: 'NEW' | 'SURGE';
  domain: string;
  app: string;
  fingerprint: string;
  type: string;
  sample: string;
  count: number;
  baseline: number;
  windowStart: string;
  windowEnd: string;
  message: string;
}
export const EXCEPTION_FINDINGS = `query Findings($since: DateTime, $first: Int) {
  exceptionFindings(since: $since, first: $first) {
    kind domain app fingerprint type sample count baseline windowStart windowEnd message
  }
}`;
