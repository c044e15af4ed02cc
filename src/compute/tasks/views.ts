// What a task reports about itself: its rules with their state and counts, the result of the last
// rule reload, and its health. Plain data, read by the GraphQL resolvers (compute/resolvers.ts).

import type { PartitionLag, TopicPartition } from '../bus/types.js';
import type { Rule, RuleIssue } from '../rules/index.js';
import type { RejectedEntry, StoredRule } from '../rule-store/index.js';
import { newRuleCounts, type RuleCounts } from '../stages/counters.js';

export type TaskState = 'STOPPED' | 'STARTING' | 'RUNNING' | 'STOPPING' | 'FAILED';

export interface RuleRejection {
  version?: number;
  where: string;
  issues: RuleIssue[];
  at: number;
}

export interface TaskRuleView {
  id: string;
  kind: string;
  /** The version the task runs (or, for a rule it could never load, the rejected one's). */
  version: number;
  online: boolean;
  /** False for a rule of the task whose every stored version so far failed to validate. */
  running: boolean;
  refreshedAt?: number;
  updatedAt?: number;
  processed: number;
  emitted: number;
  dropped: number;
  failed: number;
  /** Mean and worst time per call over the sampled calls; undefined before any was timed. */
  meanMs?: number;
  maxMs?: number;
  /** The newest stored version that did not validate; the running version stays in place. */
  rejected?: RuleRejection;
  /** Metric kinds: open series (alert rules: tracked alert series) and when the rule last emitted. */
  series?: number;
  lastEmittedAt?: number;
}

export interface ReloadResult {
  at: number;
  /** A new set of rules is running (false: nothing changed, or the new set was refused). */
  applied: boolean;
  /** The stored rules differ from those running. */
  changed: boolean;
  /** Why rules or the whole set were refused, or are missing. */
  issues: RuleIssue[];
}

export interface TaskHealth {
  state: TaskState;
  assignment: TopicPartition[];
  lag: PartitionLag[];
  totalLag: number;
  /** Why lag could not be read, when it could not. */
  lagError?: string;
  records: number;
  events: number;
  deadLetters: number;
  recordsPerSecond: number;
  eventsPerSecond: number;
  /** Multi-line events waiting for their next line. */
  pending: number;
}

/** Counts of one rule summed over the pipelines it has run in since the task was created. */
export function addCounts(a: RuleCounts | undefined, b: RuleCounts | undefined): RuleCounts | undefined {
  if (!a) return b && { ...b };
  if (!b) return { ...a };
  return {
    kind: b.kind,
    version: b.version,
    processed: a.processed + b.processed,
    emitted: a.emitted + b.emitted,
    dropped: a.dropped + b.dropped,
    failed: a.failed + b.failed,
    timed: a.timed + b.timed,
    ms: a.ms + b.ms,
    maxMs: Math.max(a.maxMs, b.maxMs),
  };
}

export function ruleView(
  rule: Rule,
  counts: RuleCounts | undefined,
  meta: { stored?: StoredRule; refreshedAt?: number; rejected?: RuleRejection },
): TaskRuleView {
  const c = counts ?? newRuleCounts(rule.kind, rule.version);
  return {
    id: rule.id,
    kind: rule.kind,
    version: rule.version,
    online: rule.online,
    running: true,
    refreshedAt: meta.refreshedAt,
    updatedAt: meta.stored?.updatedAt,
    processed: c.processed,
    emitted: c.emitted,
    dropped: c.dropped,
    failed: c.failed,
    ...(c.timed > 0 ? { meanMs: c.ms / c.timed, maxMs: c.maxMs } : {}),
    ...(meta.rejected ? { rejected: meta.rejected } : {}),
  };
}

/** A rule of the task that never loaded: only its rejection to show. */
export function rejectedView(id: string, r: RejectedEntry, at: number): TaskRuleView {
  return {
    id,
    kind: r.kind ?? 'unknown',
    version: r.version ?? 0,
    online: false,
    running: false,
    processed: 0,
    emitted: 0,
    dropped: 0,
    failed: 0,
    rejected: { version: r.version, where: r.where, issues: r.issues, at },
  };
}
