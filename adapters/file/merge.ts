// The k-way merge of file lanes into one page. A lane is opened only when its bound (a key no
// later than anything it can yield) reaches the front, so older rotated files are not even
// opened by a search that ends in the live file, and few files are open at once.

import type { Order } from '../../src/query/types.js';
import { cancelled } from './cancel.js';
import { BinaryHeap } from '../../src/query/heap.js';
import { orderedCompare, type Key } from './position.js';
import type { Found } from './source.js';

export interface Lane {
  /** No key the lane yields comes before this one in the search order. */
  bound: Key;
  open: () => AsyncGenerator<Found>;
}

interface Entry {
  key: Key;
  lane: Lane;
  found?: Found;
  gen?: AsyncGenerator<Found>;
}

/** Takes the first `n` events of the merged lanes in the search order. */
export async function mergeTake(lanes: Lane[], order: Order, n: number, signal: AbortSignal): Promise<Found[]> {
  const cmp = orderedCompare(order);
  const heap = new BinaryHeap<Entry>((a, b) => cmp(a.key, b.key) < 0);
  const open = new Set<AsyncGenerator<Found>>();
  for (const lane of lanes) heap.push({ key: lane.bound, lane });
  const out: Found[] = [];
  const advance = async (lane: Lane, gen: AsyncGenerator<Found>) => {
    const r = await gen.next();
    if (r.done) open.delete(gen);
    else heap.push({ key: r.value.key, lane, found: r.value, gen });
  };
  try {
    while (out.length < n && heap.size > 0) {
      if (signal.aborted) throw cancelled(signal);
      const top = heap.pop()!;
      if (!top.found) {
        const gen = top.lane.open();
        open.add(gen);
        await advance(top.lane, gen);
        continue;
      }
      out.push(top.found);
      if (out.length < n) await advance(top.lane, top.gen!);
    }
    return out;
  } finally {
    // Closing a lane closes its file handle or gzip stream.
    await Promise.all([...open].map((g) => g.return(undefined).catch(() => undefined)));
  }
}
