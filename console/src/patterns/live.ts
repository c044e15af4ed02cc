// Folds the `patterns` subscription's batches into the pattern list on screen: counts and last
// seen move, the sparkline's current minute grows, templates that generalised replace the ids
// they absorbed, and new patterns join the list marked as new.

import type { Pattern, PatternUpdate } from '../api/queries.js';

export interface LivePattern extends Pattern {
  /** Seen first over the subscription while the list was open. */
  fresh?: boolean;
  /** Events since the list was read; 0 when none. */
  recent?: number;
}

const MINUTE = 60_000;

/** Adds `delta` to the bucket holding `at`, sliding the window forward when `at` is past its end. */
export function addToHistogram(buckets: Pattern['histogram'], at: number, delta: number, bucketMs = MINUTE): Pattern['histogram'] {
  if (buckets.length === 0) return buckets;
  const out = buckets.slice();
  const start = Math.floor(at / bucketMs) * bucketMs;
  let last = Date.parse(out[out.length - 1]!.ts);
  while (start > last) {
    last += bucketMs;
    out.push({ ts: new Date(last).toISOString(), count: 0 });
    out.shift();
  }
  const i = out.findIndex((b) => Date.parse(b.ts) === start);
  if (i >= 0) out[i] = { ...out[i]!, count: out[i]!.count + delta };
  return out;
}

/** The list after one batch of updates, for a list whose histograms have `bucketMs` buckets. */
export function applyUpdates(list: readonly LivePattern[], updates: readonly PatternUpdate[], bucketMs = MINUTE): LivePattern[] {
  const byId = new Map(list.map((p) => [p.id, p] as const));
  const gone = new Set<string>();
  for (const u of updates) {
    for (const old of u.merged) {
      const oldId = `${u.domain}/${u.app}/${old}`;
      if (oldId !== u.id && byId.has(oldId)) gone.add(oldId);
    }
    const cur = byId.get(u.id);
    const at = Date.parse(u.lastSeen);
    if (cur) {
      byId.set(u.id, {
        ...cur,
        template: u.template,
        count: u.count,
        lastSeen: u.lastSeen,
        recent: (cur.recent ?? 0) + u.delta,
        histogram: addToHistogram(cur.histogram, at, u.delta, bucketMs),
      });
    } else {
      // A pattern the list did not hold: new, or one that generalised from absorbed ids.
      const absorbed = u.merged.map((m) => byId.get(`${u.domain}/${u.app}/${m}`)).find(Boolean);
      byId.set(u.id, {
        id: u.id,
        domain: u.domain,
        app: u.app,
        template: u.template,
        topPatternId: u.topPatternId,
        count: u.count,
        firstSeen: u.firstSeen,
        lastSeen: u.lastSeen,
        annotation: absorbed?.annotation ?? null,
        histogram: addToHistogram(absorbed?.histogram ?? list[0]?.histogram.map((b) => ({ ts: b.ts, count: 0 })) ?? [], at, u.delta, bucketMs),
        fresh: u.kind === 'NEW' && !absorbed,
        recent: u.delta,
      });
    }
  }
  // New entries keep the list's order: the ones it had stay put, the rest follow.
  const kept = list.filter((p) => !gone.has(p.id)).map((p) => byId.get(p.id)!);
  const added = [...byId.values()].filter((p) => !gone.has(p.id) && !list.some((q) => q.id === p.id));
  return kept.concat(added);
}
