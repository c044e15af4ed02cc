// Builders for log events and metric rows shared by the metric and alert tests.

import type { LogEvent } from '../../core/event.js';
import type { MetricRow } from './row.js';

/** Epoch ms of a time on 2024-03-01 UTC, "08:00:03" or "08:00:03.500". */
export const at = (hms: string): number => Date.parse(`2024-03-01T${hms}Z`);

export function event(hms: string, app: string, fields: Record<string, unknown> = {}, host = 'h1'): LogEvent {
  return { ts: at(hms), domain: 'shop', env: 'prod', app, file: 'app.log', host, level: 'INFO', message: 'm', fields };
}

export function row(ruleId: string, label: string, key: Record<string, string>, values: Record<string, number | string>, periodMs = 60_000): MetricRow {
  const l = at(label);
  return { ruleId, windowStart: l - periodMs, windowEnd: l, label: l, key, values };
}

/** Rows in a stable order, so tests compare content and not arrival order. */
export function sorted(rows: MetricRow[]): MetricRow[] {
  const id = (r: MetricRow) => `${r.ruleId}|${r.label}|${JSON.stringify(Object.entries(r.key).sort())}`;
  return [...rows].sort((a, b) => (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0));
}
