// Live metric rows and alerts for subscribers in this process: every task and the exception
// scanner publish here, each subscriber gets what its predicate keeps. A subscriber that falls
// behind loses its oldest items rather than holding memory without bound.

import type { AlertEvent } from '../alerts/types.js';
import type { MetricRow } from '../metrics/row.js';

type Item = { kind: 'row'; row: MetricRow } | { kind: 'alert'; alert: AlertEvent };

interface Subscriber {
  keep: (item: Item) => boolean;
  queue: Item[];
  wake?: () => void;
  done: boolean;
}

export interface ResultHub {
  publishRows(rows: readonly MetricRow[]): void;
  publishAlerts(alerts: readonly AlertEvent[]): void;
  rows(keep: (row: MetricRow) => boolean, signal?: AbortSignal): AsyncGenerator<MetricRow>;
  alerts(keep: (alert: AlertEvent) => boolean, signal?: AbortSignal): AsyncGenerator<AlertEvent>;
  subscribers(): number;
}

export function createResultHub(opts: { queue?: number } = {}): ResultHub {
  const capacity = opts.queue ?? 1000;
  const subs = new Set<Subscriber>();

  const publish = (item: Item) => {
    for (const s of subs) {
      if (!s.keep(item)) continue;
      s.queue.push(item);
      if (s.queue.length > capacity) s.queue.shift();
      s.wake?.();
    }
  };

  async function* listen(keep: (item: Item) => boolean, signal?: AbortSignal): AsyncGenerator<Item> {
    const s: Subscriber = { keep, queue: [], done: false };
    subs.add(s);
    const stop = () => {
      s.done = true;
      s.wake?.();
    };
    signal?.addEventListener('abort', stop, { once: true });
    try {
      while (!s.done) {
        const next = s.queue.shift();
        if (next) {
          yield next;
          continue;
        }
        await new Promise<void>((resolve) => (s.wake = resolve));
        s.wake = undefined;
      }
    } finally {
      subs.delete(s);
      signal?.removeEventListener('abort', stop);
    }
  }

  return {
    publishRows: (rows) => rows.forEach((row) => publish({ kind: 'row', row })),
    publishAlerts: (alerts) => alerts.forEach((alert) => publish({ kind: 'alert', alert })),
    async *rows(keep, signal) {
      for await (const i of listen((i) => i.kind === 'row' && keep(i.row), signal)) if (i.kind === 'row') yield i.row;
    },
    async *alerts(keep, signal) {
      for await (const i of listen((i) => i.kind === 'alert' && keep(i.alert), signal)) if (i.kind === 'alert') yield i.alert;
    },
    subscribers: () => subs.size,
  };
}
