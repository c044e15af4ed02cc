// Patterns of one page of search results: the page's messages clustered by a fresh miner, so a
// reader sees at a glance what kinds of lines a search returned. Nothing is learned or stored.

import type { LogEvent } from '../core/event.js';
import { createMiner } from '../miner/index.js';

export interface PagePattern {
  /** The miner's id for the template: the same id the live patterns of an app would give it. */
  id: string;
  template: string;
  topPatternId: string;
  count: number;
  sample: string;
  /** `domain/app` of the lines it covers, sorted. */
  apps: string[];
}

export function clusterPage(events: readonly LogEvent[], limit: number): PagePattern[] {
  const miner = createMiner({ maxPatterns: Math.max(1, events.length), cacheSize: Math.max(1, events.length) });
  const appsOf = new Map<string, Set<string>>();
  for (const e of events) {
    const r = miner.add(typeof e.message === 'string' ? e.message : String(e.message ?? ''), e.ts);
    let apps = appsOf.get(r.patternId);
    if (!apps) appsOf.set(r.patternId, (apps = new Set()));
    apps.add(`${e.domain}/${e.app}`);
  }
  // Ids that generalised later name their final pattern through resolve.
  const apps = new Map<string, Set<string>>();
  for (const [id, set] of appsOf) {
    const live = miner.resolve(id);
    const into = apps.get(live) ?? new Set<string>();
    for (const a of set) into.add(a);
    apps.set(live, into);
  }
  return miner
    .patterns()
    .sort((a, b) => b.count - a.count)
    .slice(0, limit)
    .map((p) => ({ id: p.id, template: p.template, topPatternId: p.topPatternId, count: p.count, sample: p.sample, apps: [...(apps.get(p.id) ?? [])].sort() }));
}
