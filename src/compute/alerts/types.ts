// The alert record the alert stage emits: to notifiers (when `notify` is set), to the alert
// sink, and to composite metrics that count alerts. One record per evaluation of an active
// alert, so a composite window sees every alert that was active in it.

import type { MetricRow } from '../metrics/row.js';

export type AlertState = 'pending' | 'firing' | 'resolved';

export interface AlertEvent {
  ruleId: string;
  /** Identity of the alert: the rule and the metric key (and static labels), hashed to text. */
  fingerprint: string;
  state: AlertState;
  /** Whether a notifier should send this record: a new firing, a repeat due, a resolution. */
  notify: boolean;
  labels: Record<string, string>;
  message: string;
  /** Label time of the first row of this episode that met the conditions. */
  activeSince: number;
  /** Label time of the row evaluated. */
  at: number;
  /** Wall time of the evaluation. */
  evaluatedAt: number;
  /** The metric row evaluated (for resolutions by absence, the last row seen). */
  metric: MetricRow;
}
