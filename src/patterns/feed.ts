// Fans the stage's pattern updates out to `patterns` subscribers in this process. The stage
// reports once per flush (one update per pattern per second by default); a subscriber that has
// not taken its last batch yet gets the next one folded into it, one entry per pattern, so a
// slow client sees fewer, fuller batches and never slows the stage or other clients.

import { counter, gauge } from '../observe/metrics.js';
import { recordKey } from './records.js';
import type { PatternUpdate } from './stage.js';

export interface PatternFeed {
  publish(updates: readonly PatternUpdate[]): void;
  /** Batches of matching updates until `signal` aborts or the feed closes. */
  subscribe(match: (u: PatternUpdate) => boolean, signal: AbortSignal): AsyncGenerator<PatternUpdate[]>;
  close(): void;
  readonly size: number;
}

const dropped = counter('logfed_pattern_updates_dropped_total', 'Pattern updates dropped for subscribers holding too many untaken ones');
const open = gauge('logfed_pattern_subscribers', 'Open patterns subscriptions');

/** Two updates of one pattern as one: the later state, the summed delta, new if either was. */
export function foldUpdate(a: PatternUpdate, b: PatternUpdate): PatternUpdate {
  return { ...b, kind: a.kind === 'new' ? 'new' : b.kind, delta: a.delta + b.delta, merged: [...a.merged, ...b.merged] };
}

export function createPatternFeed(capacity = 10_000): PatternFeed {
  const subscribers = new Set<(updates: readonly PatternUpdate[]) => void>();
  const closed = new AbortController();

  return {
    publish(updates) {
      for (const deliver of subscribers) deliver(updates);
    },

    async *subscribe(match, signal) {
      const pending = new Map<string, PatternUpdate>();
      let wake: (() => void) | undefined;
      const deliver = (updates: readonly PatternUpdate[]) => {
        for (const u of updates) {
          if (!match(u)) continue;
          const key = recordKey(u.domain, u.app, u.patternId);
          const had = pending.get(key);
          if (had) pending.set(key, foldUpdate(had, u));
          else if (pending.size < capacity) pending.set(key, u);
          else dropped.inc();
        }
        if (pending.size > 0) wake?.();
      };
      const stop = () => wake?.();
      const done = () => signal.aborted || closed.signal.aborted;
      subscribers.add(deliver);
      open.set(subscribers.size);
      signal.addEventListener('abort', stop, { once: true });
      closed.signal.addEventListener('abort', stop, { once: true });
      try {
        while (!done()) {
          if (pending.size === 0) await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          if (done() || pending.size === 0) continue;
          const batch = [...pending.values()];
          pending.clear();
          yield batch;
        }
      } finally {
        subscribers.delete(deliver);
        open.set(subscribers.size);
        signal.removeEventListener('abort', stop);
        closed.signal.removeEventListener('abort', stop);
      }
    },

    close() {
      closed.abort();
    },

    get size() {
      return subscribers.size;
    },
  };
}
