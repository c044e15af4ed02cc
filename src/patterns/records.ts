// How pattern records combine, written once for every store: a flush's delta onto a record,
// several records folded into one when the miner merges them, and the order patterns list in.
// Pure; the memory store applies these directly and the MySQL store inside a transaction.

import type { Annotation, PatternDelta, PatternMerge, PatternOrder, PatternQuery, PatternRecord } from './store.js';

/** Distinct samples, oldest first, at most `cap`. */
export function addSamples(existing: readonly string[], extra: readonly string[], cap: number): string[] {
  const out = existing.slice(0, cap);
  for (const s of extra) {
    if (out.length >= cap) break;
    if (!out.includes(s)) out.push(s);
  }
  return out;
}

export function applyDelta(record: PatternRecord | undefined, d: PatternDelta, maxSamples: number): PatternRecord {
  if (!record) {
    return {
      domain: d.domain,
      app: d.app,
      patternId: d.patternId,
      template: d.template,
      topPatternId: d.topPatternId,
      count: d.count,
      firstSeen: d.firstSeen,
      lastSeen: d.lastSeen,
      samples: addSamples([], d.samples, maxSamples),
    };
  }
  return {
    ...record,
    template: d.template,
    topPatternId: d.topPatternId,
    count: record.count + d.count,
    firstSeen: Math.min(record.firstSeen, d.firstSeen),
    lastSeen: Math.max(record.lastSeen, d.lastSeen),
    samples: addSamples(record.samples, d.samples, maxSamples),
  };
}

/**
 * The record `m.into` becomes when the records in `parts` (the target's own first, when it
 * exists) fold into it. An annotation is knowledge worth keeping: the target's own wins, else
 * the most recent among the merged. Undefined when none of them was stored.
 */
export function mergeRecords(m: PatternMerge, parts: readonly PatternRecord[], maxSamples: number): PatternRecord | undefined {
  if (parts.length === 0) return undefined;
  const own = parts.find((p) => p.patternId === m.into);
  let annotation: Annotation | undefined = own?.annotation;
  if (!annotation) {
    for (const p of parts) if (p.annotation && (!annotation || p.annotation.at > annotation.at)) annotation = p.annotation;
  }
  const ordered = own ? [own, ...parts.filter((p) => p !== own)] : parts;
  const out: PatternRecord = {
    domain: m.domain,
    app: m.app,
    patternId: m.into,
    template: m.template,
    topPatternId: m.topPatternId,
    count: ordered.reduce((n, p) => n + p.count, 0),
    firstSeen: Math.min(...ordered.map((p) => p.firstSeen)),
    lastSeen: Math.max(...ordered.map((p) => p.lastSeen)),
    samples: ordered.reduce<string[]>((s, p) => addSamples(s, p.samples, maxSamples), []),
  };
  if (annotation) out.annotation = { ...annotation };
  return out;
}

export function matchesQuery(r: PatternRecord, q: PatternQuery): boolean {
  return (
    (!q.domains || q.domains.includes(r.domain)) &&
    (!q.apps || q.apps.includes(r.app)) &&
    (q.topPatternId === undefined || r.topPatternId === q.topPatternId) &&
    (q.text === undefined || r.template.includes(q.text)) &&
    (q.labelled === undefined || (r.annotation !== undefined) === q.labelled) &&
    (q.seenSince === undefined || r.lastSeen >= q.seenSince)
  );
}

const ORDER_FIELD: Record<PatternOrder, 'count' | 'lastSeen' | 'firstSeen'> = { count: 'count', recent: 'lastSeen', new: 'firstSeen' };

// Binary order, as the MySQL store's utf8mb4_bin columns sort, so both stores list alike.
const binary = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Descending by the order's field; ties by (domain, app, id) so pages are stable. */
export function compareRecords(order: PatternOrder): (a: PatternRecord, b: PatternRecord) => number {
  const f = ORDER_FIELD[order];
  return (a, b) => b[f] - a[f] || binary(a.domain, b.domain) || binary(a.app, b.app) || binary(a.patternId, b.patternId);
}

export const recordKey = (domain: string, app: string, patternId: string) => `${domain}\u0000${app}\u0000${patternId}`;
