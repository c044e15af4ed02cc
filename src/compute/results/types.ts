// Where a task's metric rows and alerts are kept and watched: a store that upserts rows on
// (rule, window start, key) and alerts on (fingerprint, episode, state), so a replay after a
// crash rewrites what it already wrote instead of adding to it; and a hub for live subscribers.
// With them the store keeps the state of the task's stateful rules (alerts, composites), written
// in the same write, so a restarted task resumes from state and results that agree.

import type { AlertEvent } from '../alerts/types.js';
import type { MetricRow } from '../metrics/row.js';

export interface AlertQuery {
  ruleId?: string;
  state?: AlertEvent['state'];
  /** Alerts whose latest evaluation is at or after this wall time. */
  since?: number;
  first?: number;
}

/** The state of one stateful rule of a task, as of the results written with it. */
export interface RuleState {
  ruleId: string;
  /** Identifies the rule definition the state was built under (rulePrint()). */
  print: string;
  /** JSON-safe; checked by the rule's own restore when it comes back; null: not saved, start fresh. */
  state: unknown;
  /** In a scale-out task, the repartition partition whose alerts this is (one state per partition). */
  part?: number;
}

/** What one write holds: the rows and alerts of closed windows, and the state of the task's rules after them. */
export interface ResultBatch {
  rows: readonly MetricRow[];
  alerts: readonly AlertEvent[];
  state?: { taskId: string; rules: readonly RuleState[] };
}

export interface ResultStore {
  readonly kind: 'memory' | 'mysql';
  /** Writes a batch all or nothing: a crash never leaves rule state that disagrees with the rows and alerts. */
  write(batch: ResultBatch): Promise<void>;
  /** The latest state of each stateful rule of a task, by rule id: where a restarted task resumes. */
  ruleStates(taskId: string): Promise<Map<string, RuleState>>;
  /** A scale-out task's saved states of these repartition partitions, every rule's. */
  partStates(taskId: string, parts: readonly number[]): Promise<RuleState[]>;
  /** The newest `last` rows of a rule (by window, then key), whose key holds every field of `key`. */
  latestRows(ruleId: string, key: Record<string, string>, last: number): Promise<MetricRow[]>;
  /** Alert records, newest first: one per (fingerprint, episode, state), carrying its latest evaluation. */
  alerts(q: AlertQuery): Promise<AlertEvent[]>;
  /** Per rule, the end of the newest window written: where a restarted task resumes. */
  closedThrough(ruleIds: readonly string[]): Promise<Map<string, number>>;
  close(): Promise<void>;
}

/** The part of a rule state saved for a whole task (not per repartition partition). */
export const WHOLE_TASK = -1;

/** Identity of a metric row in the store. */
export const rowIdOf = (r: MetricRow) => `${r.ruleId}\u0000${r.windowStart}\u0000${keyText(r.key)}`;
/** Identity of an alert record: one per state of one episode of one alert. */
export const alertIdOf = (a: AlertEvent) => `${a.fingerprint}\u0000${a.activeSince}\u0000${a.state}`;

/** A key as text independent of field order. */
export function keyText(key: Record<string, string>): string {
  return JSON.stringify(Object.keys(key).sort().map((k) => [k, key[k]]));
}

export const keyMatches = (key: Record<string, string>, filter: Record<string, string>) => Object.entries(filter).every(([k, v]) => Object.hasOwn(key, k) && key[k] === v);

export const MAX_LATEST = 200;
