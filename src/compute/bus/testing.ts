// Helpers for tests of code written against the bus (memory or Kafka): wait for a condition
// with a generous bound, and collect what a subscription receives. Never used in production.

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
