// The exception scanner (seed 001 §4.3): counts exceptions per app and fingerprint in windows of
// `intervalMs` (10 minutes), and once a window has closed, one replica (the holder of the scan
// lock) compares it with the windows before: NEW and SURGE findings go to `onAlert` as alert
// records and stay queryable. Stack traces (joined into one event upstream) are fingerprinted
// by exception type and top frames; error lines without a trace count by their pattern.

import type { AlertEvent } from '../compute/alerts/index.js';
import type { LogEvent } from '../core/event.js';
import { badInput } from '../errors/index.js';
import { createMiner, fingerprintException, type Miner } from '../miner/index.js';
import { log } from '../observe/logger.js';
import { findingToAlert } from './alert.js';
import { judgeWindow } from './judge.js';
import { addCounts } from './ledger.js';
import type { ScanLock } from './lock.js';
import type { CountEntry, ExceptionFinding, ExceptionLedger, FindingQuery } from './types.js';

export interface ExceptionScannerOptions {
  ledger: ExceptionLedger;
  lock: ScanLock;
  /** Counts go to the window of the time an event is observed, so a late event is never lost to a scanned window. */
  clock?: () => number;
  intervalMs?: number;
  /** Windows before the scanned one that make its baseline. */
  baselineWindows?: number;
  /** A known fingerprint is a SURGE at this many times its baseline mean ... */
  surgeFactor?: number;
  /** ... and at least this many occurrences in the window. */
  minCount?: number;
  /** Occurrences a never-seen fingerprint needs in its window to be reported NEW. */
  newMinCount?: number;
  /** Levels whose lines count as errors when they carry no stack trace. */
  levels?: readonly string[];
  /** How long after a window closes its scan waits, for other replicas' counts to arrive. */
  graceMs?: number;
  onAlert?: (alert: AlertEvent) => void;
}

export type ScanOutcome =
  | { status: 'scanned'; windows: number[]; findings: ExceptionFinding[] }
  /** The first scan of an empty ledger: the windows it holds are learned, nothing is reported. */
  | { status: 'learned'; windows: number[] }
  | { status: 'idle' }
  | { status: 'locked' }
  /** The lease expired mid-scan; the windows not yet marked are left to the next holder. */
  | { status: 'lost'; windows: number[] };

export interface ExceptionScanner {
  observe(event: LogEvent): void;
  /** Hands the counts observed so far to the ledger. */
  flush(): Promise<void>;
  /** Scans every closed window not scanned yet (at most the baseline's worth), if this replica gets the lock. */
  scan(): Promise<ScanOutcome>;
  findings(query: FindingQuery): Promise<ExceptionFinding[]>;
  readonly intervalMs: number;
}

function check(name: string, value: number | undefined, fallback: number, min: number, integer = true): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw badInput(`exception scanner option ${name}: expected ${integer ? 'an integer' : 'a number'} of at least ${min}, got ${JSON.stringify(value)}`);
  }
  return value;
}

const firstLines = (text: string) => text.split('\n', 3).join('\n').slice(0, 1000);

export function createExceptionScanner(opts: ExceptionScannerOptions): ExceptionScanner {
  const { ledger, lock } = opts;
  const clock = opts.clock ?? Date.now;
  const intervalMs = check('intervalMs', opts.intervalMs, 10 * 60_000, 1000);
  const baselineWindows = check('baselineWindows', opts.baselineWindows, 6, 1);
  const judge = {
    surgeFactor: check('surgeFactor', opts.surgeFactor, 3, 1, false),
    minCount: check('minCount', opts.minCount, 10, 1),
    newMinCount: check('newMinCount', opts.newMinCount, 1, 1),
  };
  const graceMs = check('graceMs', opts.graceMs, 30_000, 0);
  const levels = new Set((opts.levels ?? ['ERROR', 'FATAL']).map((l) => l.toUpperCase()));
  // Error lines that come without a pattern (no mining stage before this one) get one here.
  let miner: Miner | undefined;
  let pending = new Map<number, Map<string, CountEntry>>();

  function classify(e: LogEvent): Omit<CountEntry, 'domain' | 'app' | 'count'> | undefined {
    const message = typeof e.message === 'string' ? e.message : '';
    if (message.includes('\n')) {
      const f = fingerprintException(message);
      if (f) return { fingerprint: f.fingerprint, type: f.type, sample: firstLines(message) };
    }
    if (!levels.has((e.level ?? '').toUpperCase())) return undefined;
    const line = message.split('\n', 1)[0]!.slice(0, 200);
    const pattern = e.fields?.pattern;
    if (typeof pattern === 'string') return { fingerprint: pattern, type: line, sample: firstLines(message) };
    miner ??= createMiner({ maxPatterns: 10_000, cacheSize: 10_000 });
    const r = miner.add(message);
    return { fingerprint: r.patternId, type: r.template.slice(0, 200), sample: firstLines(message) };
  }

  async function flush(): Promise<void> {
    const batch = pending;
    pending = new Map();
    for (const [window, entries] of batch) {
      try {
        await ledger.record(window, [...entries.values()]);
      } catch (err) {
        // Kept for the next flush, unless the window is already too old to matter.
        const w = pending.get(window) ?? new Map<string, CountEntry>();
        addCounts(w, [...entries.values()]);
        if (window >= Math.floor(clock() / intervalMs) - baselineWindows) pending.set(window, w);
        log.warn({ err, window }, 'scanner: could not record exception counts; keeping them for the next flush');
      }
    }
  }

  async function scanWindows(from: number, due: number, renew: () => Promise<boolean>): Promise<ScanOutcome> {
    const windows: number[] = [];
    const findings: ExceptionFinding[] = [];
    for (let w = from; w <= due; w++) {
      if (!(await renew())) return { status: 'lost', windows };
      const current = await ledger.read(w);
      const previous = await Promise.all(Array.from({ length: baselineWindows }, (_, i) => ledger.read(w - 1 - i)));
      const known = await ledger.known(current);
      const found = judgeWindow(
        { current, previous, baselineWindows, known, windowStart: w * intervalMs, windowEnd: (w + 1) * intervalMs, at: clock() },
        judge,
      );
      await ledger.learn(current);
      await ledger.addFindings(found);
      await ledger.markScanned(w);
      windows.push(w);
      findings.push(...found);
      for (const f of found) {
        try {
          opts.onAlert?.(findingToAlert(f));
        } catch (err) {
          log.warn({ err }, 'scanner: the alert sink failed');
        }
      }
    }
    return { status: 'scanned', windows, findings };
  }

  return {
    intervalMs,
    observe(event) {
      const c = classify(event);
      if (!c) return;
      const window = Math.floor(clock() / intervalMs);
      let w = pending.get(window);
      if (!w) pending.set(window, (w = new Map()));
      addCounts(w, [{ ...c, domain: event.domain, app: event.app, count: 1 }]);
    },

    flush,

    async scan() {
      await flush();
      const due = Math.floor((clock() - graceMs) / intervalMs) - 1;
      const last = await ledger.lastScanned();
      if (last !== undefined && last >= due) return { status: 'idle' };
      const lease = await lock.acquire();
      if (!lease) return { status: 'locked' };
      try {
        // Another replica may have scanned between the first look and the lock.
        const lastNow = await ledger.lastScanned();
        if (lastNow !== undefined && lastNow >= due) return { status: 'idle' };
        if (lastNow === undefined) {
          for (let w = due - baselineWindows; w <= due; w++) await ledger.learn(await ledger.read(w));
          await ledger.markScanned(due);
          return { status: 'learned', windows: [due] };
        }
        return await scanWindows(Math.max(lastNow + 1, due - baselineWindows + 1), due, () => lease.renew());
      } finally {
        await lease.release().catch(() => false);
      }
    },

    findings: (q) => ledger.findings(q),
  };
}
