// The enrich step of a process rule: looks an event up in a dimension table and writes the
// matching row's columns into it. Match kinds: equals (hash index), containsAll (`a|b|c`, every
// part occurs in the field) and sqlToken (the value occurs as a whole word, e.g. a table name).

import type { LogEvent } from '../../core/event.js';
import type { EnrichStep, MatchCondition } from '../rules/index.js';
import { bump, type StageCounts } from './counters.js';
import { isWordChar, wordTokens, type DimensionTable, type Row, type Snapshot } from './dimension.js';
import { asText, fieldGetter, fieldSetter } from './types.js';

/** Runs on the event being built; false means the event is dropped (onMiss: drop). */
export type StepFn = (event: LogEvent, now: number) => boolean;

/** `needle` occurs in `hay` with a non-word character (or an end) on both sides. */
export function containsWord(hay: string, needle: string): boolean {
  if (needle === '') return false;
  for (let at = hay.indexOf(needle); at !== -1; at = hay.indexOf(needle, at + 1)) {
    const before = at === 0 || !isWordChar(hay.charCodeAt(at - 1));
    const end = at + needle.length;
    const after = end === hay.length || !isWordChar(hay.charCodeAt(end));
    if (before && after) return true;
  }
  return false;
}

/** Every non-empty `|`-separated part of `spec` occurs in `hay`. */
export function containsAllParts(hay: string, parts: readonly string[]): boolean {
  if (parts.length === 0) return false;
  for (const part of parts) if (!hay.includes(part)) return false;
  return true;
}

/** A condition bound to one snapshot: its row test and, for the first condition, an index. */
interface Bound {
  test: (rowIndex: number, fieldText: string) => boolean;
  /** Candidate rows, in table order; undefined means every row. */
  candidates: (fieldText: string) => readonly number[] | undefined;
  /** The candidates certainly meet this condition, so it is not tested again. */
  exact: boolean;
}

function bind(cond: MatchCondition, snap: Snapshot): Bound {
  const fold = (s: string) => (cond.ignoreCase ? s.toLowerCase() : s);
  const key = `${cond.kind}${cond.ignoreCase}`;
  switch (cond.kind) {
    case 'equals': {
      const cells = snap.prepared(key, cond.column, (v) => (v === undefined ? undefined : fold(v)));
      const index = snap.equalsIndex(cond.column, cond.ignoreCase);
      return { test: (i, text) => cells[i] === text, candidates: (text) => index.get(text) ?? [], exact: true };
    }
    case 'containsAll': {
      const parts = snap.prepared(key, cond.column, (v) => (v === undefined ? [] : fold(v).split('|').filter((p) => p !== '')));
      return { test: (i, text) => containsAllParts(text, parts[i]!), candidates: () => undefined, exact: false };
    }
    case 'sqlToken': {
      const cells = snap.prepared(key, cond.column, (v) => (v === undefined ? '' : fold(v)));
      const { byWord, multi } = snap.tokenIndex(cond.column, cond.ignoreCase);
      return {
        test: (i, text) => containsWord(text, cells[i]!),
        candidates: (text) => {
          const found = new Set<number>(multi);
          for (const word of wordTokens(text)) for (const i of byWord.get(word) ?? []) found.add(i);
          return [...found].sort((a, b) => a - b);
        },
        // Values of several words are candidates for every text and still need the test.
        exact: false,
      };
    }
  }
}

export function compileEnrich(step: EnrichStep, table: DimensionTable, counts: StageCounts): StepFn {
  // Equals first: it narrows through an index before the costlier contains checks (the order the
  // rule lists them in does not matter).
  const conds = [...step.match].sort((a, b) => Number(a.kind !== 'equals') - Number(b.kind !== 'equals'));
  const sets = Object.entries(step.set).map(([target, column]) => ({ set: fieldSetter(target), column }));
  const defaults = Object.entries(step.defaults ?? {}).map(([target, value]) => ({ set: fieldSetter(target), value }));
  const reads = conds.map((c) => fieldGetter(c.field));
  let boundTo: Snapshot | undefined;
  let bound: Bound[] = [];

  /** First row (in table order) that meets every condition; indexes follow the snapshot. */
  const find = (snap: Snapshot, texts: string[]): Row | undefined => {
    if (snap !== boundTo) {
      bound = conds.map((c) => bind(c, snap));
      boundTo = snap;
    }
    const first = bound[0]!.candidates(texts[0]!);
    const from = bound[0]!.exact ? 1 : 0;
    const count = first === undefined ? snap.rows.length : first.length;
    rows: for (let k = 0; k < count; k++) {
      const i = first === undefined ? k : first[k]!;
      for (let c = from; c < bound.length; c++) if (!bound[c]!.test(i, texts[c]!)) continue rows;
      return snap.rows[i];
    }
    return undefined;
  };

  return (event) => {
    const snap = table.snapshot;
    let row: Row | undefined;
    if (snap === undefined) bump(counts, 'dimensionNotLoaded');
    else {
      const texts: string[] = [];
      for (let c = 0; c < conds.length; c++) {
        const text = asText(reads[c]!(event));
        if (text === undefined) break;
        texts.push(conds[c]!.ignoreCase ? text.toLowerCase() : text);
      }
      if (texts.length === conds.length) row = find(snap, texts);
    }
    if (row === undefined) {
      bump(counts, 'enrichMiss');
      if (step.onMiss === 'drop') return false;
      for (const d of defaults) d.set(event, d.value);
      return true;
    }
    bump(counts, 'enrichHit');
    for (const { set, column } of sets) {
      const value = row[column];
      if (value === undefined || value === null) continue;
      set(event, value instanceof Date ? value.getTime() : Buffer.isBuffer(value) ? value.toString('utf8') : value);
    }
    return true;
  };
}
