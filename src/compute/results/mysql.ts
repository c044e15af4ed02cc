// The result store on MySQL (migrations 005 to 007): metric rows and alert records upserted on their
// identities, so writing a batch twice (a replay) leaves the same rows as writing it once, and the
// task's rule state written in the same transaction as the rows and alerts it goes with.

import { createHash } from 'node:crypto';
import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import { log as rootLog } from '../../observe/logger.js';
import { withTransaction } from '../../store/mysql.js';
import type { AlertEvent } from '../alerts/types.js';
import type { MetricRow } from '../metrics/row.js';
import { keyMatches, keyText, WHOLE_TASK, type AlertQuery, type ResultStore, type RuleState } from './types.js';

const CHUNK = 500;
/** Under MariaDB's default max_allowed_packet (16 MiB), with room for the statement around it. */
export const MAX_STATE_CHARS = 12 * 1024 * 1024;
const log = rootLog.child({ component: 'result-store' });
type Queryable = Pick<PoolConnection, 'query'>;
const keyId = (key: Record<string, string>) => createHash('sha1').update(keyText(key)).digest();

export function createMysqlResultStore(pool: Pool, opts: { tablePrefix: string }): ResultStore {
  const rowsTable = `\`${opts.tablePrefix}metric_rows\``;
  const alertsTable = `\`${opts.tablePrefix}alert_events\``;
  const statesTable = `\`${opts.tablePrefix}compute_rule_state\``;

  const putRows = async (q: Queryable, rows: readonly MetricRow[]) => {
    const now = new Date();
    for (let i = 0; i < rows.length; i += CHUNK) {
      const part = rows.slice(i, i + CHUNK);
      await q.query(
        `INSERT INTO ${rowsTable} (rule_id, window_start, key_id, window_end, label, key_json, values_json, written_at) VALUES ? ` +
          'ON DUPLICATE KEY UPDATE window_end = VALUES(window_end), label = VALUES(label), values_json = VALUES(values_json), written_at = VALUES(written_at)',
        [part.map((r) => [r.ruleId, r.windowStart, keyId(r.key), r.windowEnd, r.label, JSON.stringify(r.key), JSON.stringify(r.values), now])],
      );
    }
  };

  const putAlerts = async (q: Queryable, alerts: readonly AlertEvent[]) => {
    for (let i = 0; i < alerts.length; i += CHUNK) {
      const part = alerts.slice(i, i + CHUNK);
      // A replayed evaluation never moves a record back to an older one.
      await q.query(
        `INSERT INTO ${alertsTable} (fingerprint, active_since, state, rule_id, at, evaluated_at, notify, labels_json, message, metric_json) VALUES ? ` +
          'ON DUPLICATE KEY UPDATE evaluated_at = IF(VALUES(at) >= at, VALUES(evaluated_at), evaluated_at), message = IF(VALUES(at) >= at, VALUES(message), message), ' +
          'metric_json = IF(VALUES(at) >= at, VALUES(metric_json), metric_json), at = GREATEST(at, VALUES(at))',
        [part.map((a) => [a.fingerprint, Number.isFinite(a.activeSince) ? a.activeSince : a.at, a.state, a.ruleId, a.at, a.evaluatedAt, a.notify ? 1 : 0, JSON.stringify(a.labels), a.message, JSON.stringify(a.metric)])],
      );
    }
  };

  const putStates = async (q: Queryable, taskId: string, rules: readonly RuleState[]) => {
    const now = new Date();
    // One statement a rule, each under the server's packet limit: a state too large to write is
    // replaced by null (the rule starts fresh after a restart) rather than failing every write.
    for (const r of rules) {
      let json = JSON.stringify(r.state);
      if (json.length > MAX_STATE_CHARS) {
        log.warn({ task: taskId, rule: r.ruleId, chars: json.length, limit: MAX_STATE_CHARS }, 'the state of the rule is too large to save; after a restart it starts fresh');
        json = 'null';
      }
      await q.query(
        `INSERT INTO ${statesTable} (task_id, rule_id, part, rule_print, state_json, written_at) VALUES (?, ?, ?, ?, ?, ?) ` +
          'ON DUPLICATE KEY UPDATE rule_print = VALUES(rule_print), state_json = VALUES(state_json), written_at = VALUES(written_at)',
        [taskId, r.ruleId, r.part ?? WHOLE_TASK, r.print, json, now],
      );
    }
  };

  /** The saved states of these parts; one that is not JSON is left out (its rule starts fresh). */
  const getStates = async (taskId: string, parts: readonly number[]): Promise<RuleState[]> => {
    if (parts.length === 0) return [];
    const [found] = await pool.query<RowDataPacket[]>(`SELECT rule_id, part, rule_print, state_json FROM ${statesTable} WHERE task_id = ? AND part IN (?)`, [taskId, parts]);
    const out: RuleState[] = [];
    for (const r of found) {
      try {
        out.push({ ruleId: r.rule_id, print: r.rule_print, state: JSON.parse(r.state_json), ...(r.part !== WHOLE_TASK ? { part: Number(r.part) } : {}) });
      } catch (err) {
        log.warn({ err, task: taskId, rule: r.rule_id, part: r.part }, 'the saved state of the rule is not JSON; it starts fresh');
      }
    }
    return out;
  };

  const rowOf = (r: RowDataPacket): MetricRow => ({
    ruleId: r.rule_id,
    windowStart: Number(r.window_start),
    windowEnd: Number(r.window_end),
    label: Number(r.label),
    key: JSON.parse(r.key_json),
    values: JSON.parse(r.values_json),
  });

  return {
    kind: 'mysql',
    async write(batch) {
      await withTransaction(pool, async (conn) => {
        await putRows(conn, batch.rows);
        await putAlerts(conn, batch.alerts);
        if (batch.state) await putStates(conn, batch.state.taskId, batch.state.rules);
      });
    },
    async ruleStates(taskId) {
      const found = await getStates(taskId, [WHOLE_TASK]);
      return new Map(found.map((r) => [r.ruleId, r]));
    },
    partStates: (taskId, parts) => getStates(taskId, parts.filter((p) => p !== WHOLE_TASK)),
    async latestRows(ruleId, key, last) {
      // Rows of the newest windows first; the key filter runs here since keys are JSON.
      const out: MetricRow[] = [];
      let before = Number.MAX_SAFE_INTEGER;
      while (out.length < last) {
        const [found] = await pool.query<RowDataPacket[]>(
          `SELECT rule_id, window_start, window_end, label, key_json, values_json FROM ${rowsTable} WHERE rule_id = ? AND window_start < ? ORDER BY window_start DESC LIMIT 1000`,
          [ruleId, before],
        );
        if (found.length === 0) break;
        for (const r of found) {
          const row = rowOf(r);
          if (keyMatches(row.key, key)) out.push(row);
        }
        before = Number(found[found.length - 1]!.window_start);
        if (found.length < 1000) break;
      }
      return out.slice(0, last);
    },
    async alerts(q: AlertQuery) {
      const where: string[] = [];
      const args: unknown[] = [];
      if (q.ruleId !== undefined) (where.push('rule_id = ?'), args.push(q.ruleId));
      if (q.state !== undefined) (where.push('state = ?'), args.push(q.state));
      if (q.since !== undefined) (where.push('evaluated_at >= ?'), args.push(q.since));
      const [found] = await pool.query<RowDataPacket[]>(
        `SELECT * FROM ${alertsTable}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY evaluated_at DESC, at DESC LIMIT ?`,
        [...args, q.first ?? 100],
      );
      return found.map((r) => ({
        ruleId: r.rule_id,
        fingerprint: r.fingerprint,
        state: r.state,
        notify: r.notify === 1,
        labels: JSON.parse(r.labels_json),
        message: r.message,
        activeSince: Number(r.active_since),
        at: Number(r.at),
        evaluatedAt: Number(r.evaluated_at),
        metric: JSON.parse(r.metric_json),
      }));
    },
    async closedThrough(ids) {
      const out = new Map<string, number>();
      if (ids.length === 0) return out;
      const [found] = await pool.query<RowDataPacket[]>(`SELECT rule_id, MAX(window_end) AS e FROM ${rowsTable} WHERE rule_id IN (?) GROUP BY rule_id`, [ids]);
      for (const r of found) out.set(r.rule_id, Number(r.e));
      return out;
    },
    async close() {},
  };
}
