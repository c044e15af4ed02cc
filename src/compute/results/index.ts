// The results of compute tasks: a store (memory or MySQL) for metric rows and alert history, and
// a hub for live subscribers. `record` is the one way in, used by tasks and the exception scanner.

import type { AlertEvent } from '../alerts/types.js';
import type { MetricRow } from '../metrics/row.js';
import { createResultHub, type ResultHub } from './hub.js';
import type { ResultStore } from './types.js';

export interface Results {
  store: ResultStore;
  hub: ResultHub;
  /** Writes to the store, then tells live subscribers: what a subscriber sees can be read back. */
  record(rows: readonly MetricRow[], alerts: readonly AlertEvent[]): Promise<void>;
}

export function createResults(store: ResultStore, hub: ResultHub = createResultHub()): Results {
  return {
    store,
    hub,
    async record(rows, alerts) {
      if (rows.length) await store.putRows(rows);
      if (alerts.length) await store.putAlerts(alerts);
      hub.publishRows(rows);
      hub.publishAlerts(alerts);
    },
  };
}

export { createResultHub, type ResultHub } from './hub.js';
export { createMemoryResultStore } from './memory.js';
export { createMysqlResultStore } from './mysql.js';
export * from './types.js';
