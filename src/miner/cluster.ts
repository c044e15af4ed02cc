// Patterns as the miner keeps them, and the pure comparisons it makes between a message's
// tokens and a group of patterns: which covers it, which is nearest, which are siblings.
// drain.ts owns the state; everything here reads it without changing the groups.

import { covers, isSoftMismatch, isValueLike } from './generalise.js';
import { topPatternIdOf } from './hash.js';
import { topTemplateText } from './top-pattern.js';
import { WILDCARD, type PatternInfo } from './types.js';

export interface Cluster {
  id: string;
  tokens: string[];
  text: string;
  top: string[];
  topText: string;
  topId: string;
  count: number;
  firstSeen?: number;
  lastSeen?: number;
  sample: string;
  seq: number;
  /** The message count at its last hit, for dropping the least recently used. */
  hit: number;
  group: Cluster[];
  /** Set when the cluster was folded or absorbed into another. */
  next?: Cluster;
}

export interface Scan {
  cover?: Cluster;
  best?: Cluster;
  sim: number;
  hard: number;
}

export function live(c: Cluster): Cluster {
  let cur = c;
  while (cur.next) cur = cur.next;
  return cur;
}

export function info(c: Cluster): PatternInfo {
  const out: PatternInfo = {
    id: c.id,
    template: c.text,
    count: c.count,
    topPatternId: c.topId,
    topTemplate: c.topText,
    sample: c.sample,
  };
  if (c.firstSeen !== undefined) out.firstSeen = c.firstSeen;
  if (c.lastSeen !== undefined) out.lastSeen = c.lastSeen;
  return out;
}

export function setTop(c: Cluster, top: string[]): void {
  c.top = top;
  c.topText = topTemplateText(top);
  c.topId = topPatternIdOf(c.topText);
}

// Messages are compared only within a group: same token count and, when it reads as a word,
// the same first token (as Drain's prefix tree does), which keeps unrelated lines apart cheaply.
export function groupKeyOf(tokens: readonly string[]): string {
  const first = tokens[0];
  return `${tokens.length} ${first === undefined || isValueLike(first) ? WILDCARD : first}`;
}

export function scanGroup(group: readonly Cluster[], tokens: readonly string[], similarity: number): Scan {
  const n = tokens.length;
  const out: Scan = { sim: -1, hard: 0 };
  const needed = similarity * n;
  let coverEq = -1;
  let bestEq = -1;
  for (const c of group) {
    const t = c.tokens;
    let eq = 0;
    let wild = 0;
    for (let i = 0; i < n; i++) {
      const a = t[i]!;
      if (a === tokens[i]) eq++;
      else if (covers(a, tokens[i]!)) wild++;
    }
    if (eq + wild === n) {
      if (eq > coverEq) {
        coverEq = eq;
        out.cover = c;
      }
      continue;
    }
    // Too far to be the nearest pattern: skip weighing its differences.
    if (eq + wild < needed) continue;
    let hard = 0;
    for (let i = 0; i < n; i++) {
      const a = t[i]!;
      const b = tokens[i]!;
      if (a !== b && !covers(a, b) && !isSoftMismatch(a, b)) hard++;
    }
    const sim = n === 0 ? 1 : (eq + wild) / n;
    if (sim > out.sim || (sim === out.sim && (hard < out.hard || (hard === out.hard && eq > bestEq)))) {
      out.best = c;
      out.sim = sim;
      out.hard = hard;
      bestEq = eq;
    }
  }
  return out;
}

export function coversAll(t: readonly string[], o: readonly string[]): boolean {
  for (let i = 0; i < t.length; i++) if (t[i] !== o[i] && !covers(t[i]!, o[i]!)) return false;
  return true;
}

/** The one position where two patterns differ in plain words (values may differ anywhere); else -1. */
export function siblingPosition(a: readonly string[], b: readonly string[]): number {
  let pos = -1;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y || covers(x, y) || covers(y, x) || isSoftMismatch(x, y) || isSoftMismatch(y, x)) continue;
    if (pos >= 0) return -1;
    pos = i;
  }
  return pos;
}
