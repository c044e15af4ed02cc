// The one total order of hits across targets: by ts in the query's order, then by target rank
// (targets sorted by id), then by arrival within the target. The merge, the page cut and the
// fan-out's "can this target still reach the page" test all compare with it, so they agree.

import { BinaryHeap } from './heap.js';
import type { Order } from './types.js';

export interface HitKey {
  ts: number;
  rank: number;
  /** Arrival order within the target; -1 and Infinity stand for "before" and "after" all of them. */
  seq: number;
}

export type KeyCompare = (a: HitKey, b: HitKey) => number;

/** Negative when a comes first in the page. */
export function keyCompare(order: Order): KeyCompare {
  const dir = order === 'desc' ? -1 : 1;
  return (a, b) => {
    if (a.ts !== b.ts) return a.ts < b.ts ? -dir : dir;
    if (a.rank !== b.rank) return a.rank - b.rank;
    return a.seq === b.seq ? 0 : a.seq < b.seq ? -1 : 1;
  };
}

/**
 * Keeps the `k` best keys seen so far and answers "is there a full page of keys before this
 * one?". The heap holds the worst of the best on top, so each offer costs O(log k).
 */
export class BestKeys {
  private readonly heap: BinaryHeap<HitKey>;

  constructor(
    private readonly k: number,
    private readonly cmp: KeyCompare,
  ) {
    this.heap = new BinaryHeap<HitKey>((a, b) => cmp(a, b) > 0);
  }

  get full(): boolean {
    return this.heap.size >= this.k;
  }

  /** Offers keys that arrive in page order; stops at the first one that cannot enter. */
  offerSorted(keys: Iterable<HitKey>): void {
    for (const key of keys) if (!this.offer(key)) return;
  }

  offer(key: HitKey): boolean {
    if (this.k <= 0) return false;
    if (this.heap.size < this.k) {
      this.heap.push(key);
      return true;
    }
    if (this.cmp(key, this.heap.peek()!) >= 0) return false;
    this.heap.replaceTop(key);
    return true;
  }

  /** True when k held keys all come strictly before `key`. */
  beats(key: HitKey): boolean {
    return this.full && this.cmp(this.heap.peek()!, key) < 0;
  }
}
