// Where a task's metric rows and alerts are kept and watched: a store that upserts rows on
// (rule, window start, key) and alerts on (fingerprint, episode, state), so a replay after a
// crash rewrites what it already wrote instead of adding to it; and a hub for live subscribers.

import type { AlertEvent } from '../alerts/types.js';
import type { MetricRow } from '../metrics/row.js';

export interface AlertQuery {
  ruleId?: string;
  state?: AlertEvent['state'];
  /** Alerts whose latest evaluation is at or after this wall time. */
  since?: number;
  first?: number;
}

export interface ResultStore {
  readonly kind: 'memory' | 'mysql';
  putRows(rows: readonly MetricRow[]): Promise<void>;
  putAlerts(alerts: readonly AlertEvent[]): Promise<void>;
  /** The newest `last` rows of a rule (by window, then key), whose key holds every field of `key`. */
  latestRows(ruleId: string, key: Record<string, string>, last: number): Promise<MetricRow[]>;
  /** Alert records, newest first: one per (fingerprint, episode, state), carrying its latest evaluation. */
  alerts(q: AlertQuery): Promise<AlertEvent[]>;
  /** Per rule, the end of the newest window written: where a restarted task resumes. */
  closedThrough(ruleIds: readonly string[]): Promise<Map<string, number>>;
  close(): Promise<void>;
}

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
