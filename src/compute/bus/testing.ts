// Helpers for tests of code written against the bus (memory or Kafka): wait for a condition
// with a generous bound, collect what a subscription receives, and watch (and end) a Kafka bus's
// produce thread. Never used in production.

import type { Worker } from 'node:worker_threads';
import type { ProduceThreadObserver } from './kafka-produce-thread.js';
import type { BatchContext, BusRecord, SubscribeOptions } from './types.js';

/** Polls until `cond` holds; fails with `what` after `timeoutMs` (a bound, never a timing assertion). */
export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface Collector {
  records: BusRecord[];
  /** Values as UTF-8 strings, in arrival order. */
  values(): string[];
  eachBatch: SubscribeOptions['eachBatch'];
  lastContext(): BatchContext | undefined;
}

/** An eachBatch that keeps every record, optionally running `then` after each batch. */
export function collector(then?: (records: BusRecord[], ctx: BatchContext) => Promise<void>): Collector {
  const records: BusRecord[] = [];
  let last: BatchContext | undefined;
  return {
    records,
    values: () => records.map((r) => r.value.toString('utf8')),
    lastContext: () => last,
    eachBatch: async (batch, ctx) => {
      last = ctx;
      if (then) await then(batch, ctx);
      records.push(...batch);
    },
  };
}

export interface ProduceThreadWatch {
  /** Pass as createKafkaBus(options, { produceThread: watch.observer }). */
  observer: ProduceThreadObserver;
  /** Every produce worker the bus started, oldest first. */
  started: Worker[];
  /** Ends the newest worker as a crash would, without letting it finish what it holds; resolves once it has exited. */
  kill(): Promise<number>;
}

export function watchProduceThread(): ProduceThreadWatch {
  const started: Worker[] = [];
  return {
    observer: { onWorker: (w) => void started.push(w) },
    started,
    kill() {
      const w = started.at(-1);
      if (!w) throw new Error('no produce thread has started yet: produce through the bus first');
      return w.terminate();
    },
  };
}
