// The embedded result store: metric rows, alerts and rule state in memory, rows bounded per rule,
// upserted on the same identities as the MySQL store so both answer a replay the same way.

import type { AlertEvent } from '../alerts/types.js';
import type { MetricRow } from '../metrics/row.js';
import { alertIdOf, keyMatches, rowIdOf, WHOLE_TASK, type AlertQuery, type ResultStore, type RuleState } from './types.js';

export interface MemoryResultOptions {
  rowsPerRule?: number;
  alerts?: number;
}

export function createMemoryResultStore(opts: MemoryResultOptions = {}): ResultStore {
  const rowsPerRule = opts.rowsPerRule ?? 5000;
  const maxAlerts = opts.alerts ?? 10_000;
  const rows = new Map<string, Map<string, MetricRow>>();
  const closed = new Map<string, number>();
  const alerts = new Map<string, AlertEvent>();
  const states = new Map<string, Map<string, RuleState>>();

  return {
    kind: 'memory',
    async write(batch) {
      for (const r of batch.rows) {
        let byId = rows.get(r.ruleId);
        if (!byId) rows.set(r.ruleId, (byId = new Map()));
        const id = rowIdOf(r);
        byId.delete(id);
        byId.set(id, r);
        // Windows close in time order, so the first entries are the oldest.
        while (byId.size > rowsPerRule) byId.delete(byId.keys().next().value!);
        if (r.windowEnd > (closed.get(r.ruleId) ?? Number.NEGATIVE_INFINITY)) closed.set(r.ruleId, r.windowEnd);
      }
      for (const a of batch.alerts) {
        const id = alertIdOf(a);
        alerts.delete(id);
        alerts.set(id, a);
        while (alerts.size > maxAlerts) alerts.delete(alerts.keys().next().value!);
      }
      if (batch.state) {
        let byRule = states.get(batch.state.taskId);
        if (!byRule) states.set(batch.state.taskId, (byRule = new Map()));
        // A copy through JSON: what comes back is what MySQL would give back, not a live object.
        for (const r of batch.state.rules) byRule.set(`${r.ruleId}\u0000${r.part ?? WHOLE_TASK}`, JSON.parse(JSON.stringify(r)));
      }
    },
    async ruleStates(taskId) {
      return new Map([...(states.get(taskId)?.values() ?? [])].filter((r) => r.part === undefined).map((r) => [r.ruleId, r]));
    },
    async partStates(taskId, parts) {
      return [...(states.get(taskId)?.values() ?? [])].filter((r) => r.part !== undefined && parts.includes(r.part));
    },
    async latestRows(ruleId, key, last) {
      const all = [...(rows.get(ruleId)?.values() ?? [])].filter((r) => keyMatches(r.key, key));
      all.sort((a, b) => b.windowStart - a.windowStart);
      return all.slice(0, last);
    },
    async alerts(q: AlertQuery) {
      const out = [...alerts.values()].filter((a) => (q.ruleId === undefined || a.ruleId === q.ruleId) && (q.state === undefined || a.state === q.state) && (q.since === undefined || a.evaluatedAt >= q.since));
      out.sort((a, b) => b.evaluatedAt - a.evaluatedAt || b.at - a.at);
      return out.slice(0, q.first ?? 100);
    },
    async closedThrough(ids) {
      return new Map(ids.flatMap((id) => (closed.has(id) ? [[id, closed.get(id)!] as const] : [])));
    },
    async close() {},
  };
}
