// The scanner's ledger in this process's memory: for a gateway without Redis, where this
// process alone counts and scans. Windows older than the baseline needs are dropped as new
// ones arrive, and the findings kept are capped.

import { entryKey, type AppFingerprint, type CountEntry, type ExceptionFinding, type ExceptionLedger, type FindingQuery } from './types.js';

export interface MemoryLedgerOptions {
  /** Windows kept behind the newest recorded one (the baseline plus some slack). */
  keepWindows: number;
  maxFindings?: number;
}

/** Adds `entries` into `into`, keeping the first sample and type seen for each key. */
export function addCounts(into: Map<string, CountEntry>, entries: readonly CountEntry[]): void {
  for (const e of entries) {
    const key = entryKey(e);
    const had = into.get(key);
    if (had) had.count += e.count;
    else into.set(key, { ...e });
  }
}

export function matchesFinding(f: ExceptionFinding, q: FindingQuery): boolean {
  return (q.domain === undefined || f.domain === q.domain) && (q.app === undefined || f.app === q.app) && (q.since === undefined || f.windowEnd >= q.since);
}

export function createMemoryLedger(opts: MemoryLedgerOptions): ExceptionLedger {
  const maxFindings = opts.maxFindings ?? 1000;
  const windows = new Map<number, Map<string, CountEntry>>();
  const seen = new Set<string>();
  let last: number | undefined;
  let findings: ExceptionFinding[] = [];

  return {
    async record(window, entries) {
      let w = windows.get(window);
      if (!w) windows.set(window, (w = new Map()));
      addCounts(w, entries);
      const newest = Math.max(...windows.keys());
      for (const k of windows.keys()) if (k < newest - opts.keepWindows) windows.delete(k);
    },
    async read(window) {
      return [...(windows.get(window)?.values() ?? [])].map((e) => ({ ...e }));
    },
    async known(entries: readonly AppFingerprint[]) {
      return entries.map((e) => seen.has(entryKey(e)));
    },
    async learn(entries) {
      for (const e of entries) seen.add(entryKey(e));
    },
    async lastScanned() {
      return last;
    },
    async markScanned(window) {
      last = window;
    },
    async addFindings(list) {
      findings = [...list, ...findings].slice(0, maxFindings);
    },
    async findings(q) {
      return findings.filter((f) => matchesFinding(f, q)).slice(0, q.limit).map((f) => ({ ...f }));
    },
  };
}
