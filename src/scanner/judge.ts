// The scanner's verdict on one window, pure: a fingerprint its app never showed before is NEW;
// a known one that reaches `surgeFactor` times its mean over the previous windows, and at least
// `minCount`, is a SURGE. The seed's "every 10 minutes, compare with before" (001 §4.3).

import { entryKey, type CountEntry, type ExceptionFinding } from './types.js';

export interface JudgeOptions {
  surgeFactor: number;
  minCount: number;
  newMinCount: number;
}

export interface WindowToJudge {
  current: readonly CountEntry[];
  /** Counts of the baseline windows before it (missing windows count as zeros). */
  previous: ReadonlyArray<readonly CountEntry[]>;
  baselineWindows: number;
  /** `known[i]`: whether `current[i]`'s app showed its fingerprint in an earlier scanned window. */
  known: readonly boolean[];
  windowStart: number;
  windowEnd: number;
  at: number;
}

export function judgeWindow(w: WindowToJudge, o: JudgeOptions): ExceptionFinding[] {
  const before = new Map<string, number>();
  for (const window of w.previous) for (const e of window) before.set(entryKey(e), (before.get(entryKey(e)) ?? 0) + e.count);
  const findings: ExceptionFinding[] = [];
  w.current.forEach((e, i) => {
    const baseline = (before.get(entryKey(e)) ?? 0) / w.baselineWindows;
    const at = { baseline, windowStart: w.windowStart, windowEnd: w.windowEnd, at: w.at };
    if (!w.known[i]) {
      if (e.count >= o.newMinCount) findings.push({ ...e, kind: 'new', ...at });
    } else if (e.count >= o.minCount && e.count >= o.surgeFactor * baseline) {
      findings.push({ ...e, kind: 'surge', ...at });
    }
  });
  // Biggest first, so a truncated list keeps what matters most.
  return findings.sort((a, b) => b.count - a.count || entryKey(a).localeCompare(entryKey(b)));
}
