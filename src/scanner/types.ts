// Shapes of the exception scanner: what it counts per window, what it finds, and the ledger
// that keeps counts, the fingerprints each app has shown, the last scanned window and the
// findings — in memory for one process, in Redis when replicas share the scan.

/** Which app a fingerprint was counted for; domain and app as the events carry them. */
export interface AppFingerprint {
  domain: string;
  app: string;
  /** `f…` for a stack trace (exception type and top frames), `p…` for an error line's pattern. */
  fingerprint: string;
}

export interface CountEntry extends AppFingerprint {
  count: number;
  /** The root cause's exception type, or the error line's template. */
  type: string;
  /** The first lines of one occurrence. */
  sample: string;
}

export type FindingKind = 'new' | 'surge';

export interface ExceptionFinding extends CountEntry {
  kind: FindingKind;
  /** Mean count per window over the baseline windows before this one. */
  baseline: number;
  windowStart: number;
  windowEnd: number;
  /** When the scan ran (epoch ms). */
  at: number;
}

export interface FindingQuery {
  domain?: string;
  app?: string;
  /** Findings of windows that ended at or after this time. */
  since?: number;
  limit: number;
}

export interface ExceptionLedger {
  /** Adds counts to a window (windows are numbered: start = window × interval). */
  record(window: number, entries: readonly CountEntry[]): Promise<void>;
  /** The counts of a window, summed over every writer. */
  read(window: number): Promise<CountEntry[]>;
  /** For each entry, whether its app showed that fingerprint in a window scanned before. */
  known(entries: readonly AppFingerprint[]): Promise<boolean[]>;
  learn(entries: readonly AppFingerprint[]): Promise<void>;
  lastScanned(): Promise<number | undefined>;
  markScanned(window: number): Promise<void>;
  addFindings(findings: readonly ExceptionFinding[]): Promise<void>;
  /** Newest first. */
  findings(query: FindingQuery): Promise<ExceptionFinding[]>;
}

export const entryKey = (e: AppFingerprint) => `${e.domain}\u0000${e.app}\u0000${e.fingerprint}`;
