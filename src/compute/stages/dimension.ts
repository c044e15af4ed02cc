// A dimension table for enrichment: rows loaded by an injected loader (a SQL query in production,
// see dimension-mysql.ts) into an in-memory snapshot that is swapped whole on each refresh. A
// failed refresh keeps the last good snapshot and is counted; lookups never wait on I/O.

import type { DimensionRule } from '../rules/index.js';
import { log } from '../../observe/logger.js';

export type Row = Record<string, unknown>;
export type Loader = () => Promise<Row[]>;

export interface DimensionStats {
  rows: number;
  /** Successful loads, the first included. */
  refreshes: number;
  failures: number;
  loadedAt?: number;
  lastError?: string;
}

const WORD = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c > 127;

/** True for characters that make up an SQL identifier or keyword; everything else delimits. */
export const isWordChar = WORD;

/** The maximal runs of word characters in a text: the candidate tokens for a whole-word match. */
export function wordTokens(text: string): string[] {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const inWord = i < text.length && WORD(text.charCodeAt(i));
    if (inWord && start === -1) start = i;
    else if (!inWord && start !== -1) {
      out.push(text.slice(start, i));
      start = -1;
    }
  }
  return out;
}

/** A cell as text for matching: drivers return numbers, Dates and Buffers as well as strings. */
export function cellText(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (v instanceof Date) return v.toISOString();
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** One loaded table with lazily built lookup structures, shared by every enrich step that uses it. */
export class Snapshot {
  private readonly memo = new Map<string, unknown>();

  constructor(
    readonly rows: readonly Row[],
    readonly loadedAt: number,
  ) {}

  private memoise<T>(key: string, build: () => T): T {
    let v = this.memo.get(key) as T | undefined;
    if (v === undefined) {
      v = build();
      this.memo.set(key, v);
    }
    return v;
  }

  /** Column value -> indices of the rows holding it, in table order. */
  equalsIndex(column: string, ignoreCase: boolean): Map<string, number[]> {
    return this.memoise(`eq\0${column}\0${ignoreCase}`, () => {
      const index = new Map<string, number[]>();
      this.rows.forEach((row, i) => {
        let key = cellText(row[column]);
        if (key === undefined) return;
        if (ignoreCase) key = key.toLowerCase();
        const list = index.get(key);
        if (list) list.push(i);
        else index.set(key, [i]);
      });
      return index;
    });
  }

  /** For whole-word matching: one-word values by word, and the rows whose value spans several words. */
  tokenIndex(column: string, ignoreCase: boolean): { byWord: Map<string, number[]>; multi: number[] } {
    return this.memoise(`tok\0${column}\0${ignoreCase}`, () => {
      const byWord = new Map<string, number[]>();
      const multi: number[] = [];
      this.rows.forEach((row, i) => {
        let v = cellText(row[column]);
        if (v === undefined || v === '') return;
        if (ignoreCase) v = v.toLowerCase();
        const words = wordTokens(v);
        if (words.length === 1 && words[0] === v) {
          const list = byWord.get(v);
          if (list) list.push(i);
          else byWord.set(v, [i]);
        } else multi.push(i);
      });
      return { byWord, multi };
    });
  }

  /** Column values prepared once for matching (split `a|b|c`, lower-cased...), aligned with rows. */
  prepared<T>(key: string, column: string, prepare: (text: string | undefined) => T): T[] {
    return this.memoise(`prep\0${key}\0${column}`, () => this.rows.map((row) => prepare(cellText(row[column]))));
  }
}

export class DimensionTable {
  private current: Snapshot | undefined;
  private inFlight: Promise<boolean> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly counts: DimensionStats = { rows: 0, refreshes: 0, failures: 0 };

  constructor(
    readonly rule: DimensionRule,
    private readonly loader: Loader,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The last good snapshot; undefined until the first load succeeds. */
  get snapshot(): Snapshot | undefined {
    return this.current;
  }

  /** Loads the table once; resolves false (keeping the last good rows) when the load fails. */
  refresh(): Promise<boolean> {
    this.inFlight ??= this.load().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async load(): Promise<boolean> {
    try {
      const rows = await withTimeout(this.loader(), this.rule.timeoutMs);
      if (!Array.isArray(rows)) throw new Error(`the loader returned ${typeof rows}, not a list of rows`);
      if (rows.length > this.rule.maxRows) throw new Error(`${rows.length} rows; the limit is ${this.rule.maxRows}`);
      this.current = new Snapshot(rows, this.clock());
      this.counts.rows = rows.length;
      this.counts.refreshes++;
      this.counts.loadedAt = this.current.loadedAt;
      return true;
    } catch (err) {
      this.counts.failures++;
      this.counts.lastError = (err as Error).message;
      log.warn({ err, dimension: this.rule.id }, 'dimension table refresh failed; keeping the last good rows');
      return false;
    }
  }

  /** First load, then a refresh every `refreshSeconds`; the timer never keeps the process alive. */
  async start(): Promise<boolean> {
    const ok = await this.refresh();
    if (!this.timer) {
      this.timer = setInterval(() => void this.refresh(), this.rule.refreshSeconds * 1000);
      this.timer.unref();
    }
    return ok;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  stats(): DimensionStats {
    return { ...this.counts };
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, rejectTimeout) => {
    timer = setTimeout(() => rejectTimeout(new Error(`load took longer than ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
