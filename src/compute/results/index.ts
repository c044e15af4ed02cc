// The results of compute tasks: a store (memory or MySQL) for metric rows and alert history, and
// a hub for live subscribers. `record` is the one way in, used by tasks and the exception scanner.

import type { AlertEvent } from '../alerts/types.js';
import type { MetricRow } from '../metrics/row.js';
import { createResultHub, type ResultHub } from './hub.js';
import type { ResultBatch, ResultStore } from './types.js';

export interface Results {
  store: ResultStore;
  hub: ResultHub;
  /**
   * Writes to the store (rows, alerts and the task's rule state after them, in one write), then
   * tells live subscribers: what a subscriber sees can be read back.
   */
  record(rows: readonly MetricRow[], alerts: readonly AlertEvent[], state?: ResultBatch['state']): Promise<void>;
}

export function createResults(store: ResultStore, hub: ResultHub = createResultHub()): Results {
  return {
    store,
    hub,
    async record(rows, alerts, state) {
      if (rows.length || alerts.length || state?.rules.length) await store.write({ rows, alerts, ...(state?.rules.length ? { state } : {}) });
      hub.publishRows(rows);
      hub.publishAlerts(alerts);
    },
  };
}

export { createResultHub, type ResultHub } from './hub.js';
export { createMemoryResultStore } from './memory.js';
export { createMysqlResultStore } from './mysql.js';
export * from './types.js';
export { mergingPart, restoring, rulePrint } from './state.js';
