// The streaming template miner (Drain family). Each message is tokenised and masked, then
// matched against the patterns of its group (same token count, same first word): covered
// messages join, value-like differences generalise a pattern, and plain-word differences make
// sibling patterns that fold into one only when a position takes many words. Pure: no I/O,
// no clock, no globals; persistence and timestamps belong to the caller.

import { foldDates } from './dates.js';
import { covers, generaliseToken, isSoftMismatch, isValueLike } from './generalise.js';
import { patternIdOf, topPatternIdOf } from './hash.js';
import { maskWord } from './mask.js';
import { resolveOptions } from './options.js';
import { generaliseTokens, topTemplateText } from './top-pattern.js';
import { tokenize } from './tokenize.js';
import {
  WILDCARD,
  type MineResult,
  type MinerOptions,
  type MinerState,
  type MinerStats,
  type PatternInfo,
  type PatternState,
} from './types.js';

export interface Miner {
  /** Mines one message; `ts` (any number the caller uses as time) feeds first/last seen. */
  add(message: string, ts?: number): MineResult;
  /** The pattern that covers the message now, without learning from it. */
  match(message: string): PatternInfo | undefined;
  patterns(): PatternInfo[];
  /** The live id an old id generalised into (the id itself when it is live or unknown). */
  resolve(id: string): string;
  stats(): MinerStats;
  snapshot(): MinerState;
}

interface Cluster {
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
  group: Cluster[];
  /** Set when the cluster was folded or absorbed into another. */
  next?: Cluster;
}

interface Prepared {
  tokens: string[];
  key: string;
  groupKey: string;
  dropped: number;
  cut: boolean;
  long: number;
}

interface Scan {
  cover?: Cluster;
  best?: Cluster;
  sim: number;
  hard: number;
}

export function createMiner(options: Partial<MinerOptions> = {}): Miner {
  return new DrainMiner(resolveOptions(options));
}

export function restoreMiner(state: MinerState): Miner {
  if (state?.version !== 1 || !Array.isArray(state.patterns)) {
    throw new TypeError(`restoreMiner expected a miner snapshot of version 1, got version ${String(state?.version)}`);
  }
  const miner = new DrainMiner(resolveOptions(state.options));
  miner.load(state);
  return miner;
}

class DrainMiner implements Miner {
  private readonly groups = new Map<string, Cluster[]>();
  private readonly aliases = new Map<string, string>();
  private readonly cache = new Map<string, Cluster>();
  private seq = 0;
  private readonly counters: MinerStats = {
    messages: 0,
    patterns: 0,
    truncatedTokens: 0,
    truncatedMessages: 0,
    longTokens: 0,
    merges: 0,
  };

  constructor(private readonly options: MinerOptions) {}

  add(message: string, ts?: number): MineResult {
    const p = this.prepare(message);
    const s = this.counters;
    s.messages++;
    s.longTokens += p.long;
    s.truncatedTokens += p.dropped;
    if (p.dropped > 0 || p.cut) s.truncatedMessages++;

    const cached = this.cache.get(p.key);
    if (cached) return this.joined(live(cached), ts, 'none');

    const group = this.groupOf(p.groupKey);
    const scan = scanGroup(group, p.tokens);
    if (scan.cover) {
      this.remember(p.key, scan.cover);
      return this.joined(scan.cover, ts, 'none');
    }
    const best = scan.sim >= this.options.similarity ? scan.best : undefined;
    if (best && scan.hard === 0) {
      const before = best.id;
      this.retemplate(best, generaliseTokens(best.tokens, p.tokens));
      const merged = this.absorbCovered(best);
      if (before !== best.id) merged.unshift(before);
      this.remember(p.key, best);
      return this.joined(best, ts, merged.length > 0 ? 'updated' : 'none', before, merged);
    }
    const created = this.create(group, best ? skeleton(best.tokens, p.tokens) : p.tokens, message);
    if (best) this.widenTop(group, best.topText, generaliseTokens(best.top, created.tokens));
    const folded = this.foldSiblings(created);
    if (folded) {
      const merged = folded.ids;
      this.remember(p.key, folded.into);
      return this.joined(folded.into, ts, 'updated', merged[0], merged);
    }
    this.remember(p.key, created);
    return this.joined(created, ts, 'created');
  }

  match(message: string): PatternInfo | undefined {
    const p = this.prepare(message);
    const cached = this.cache.get(p.key);
    if (cached) return info(live(cached));
    const group = this.groups.get(p.groupKey);
    const cover = group && scanGroup(group, p.tokens).cover;
    return cover && info(cover);
  }

  patterns(): PatternInfo[] {
    return this.live().map(info);
  }

  resolve(id: string): string {
    let cur = id;
    for (let hops = 0; hops < 1000; hops++) {
      const next = this.aliases.get(cur);
      if (next === undefined) return cur;
      cur = next;
    }
    return cur;
  }

  stats(): MinerStats {
    return { ...this.counters, patterns: this.live().length };
  }

  snapshot(): MinerState {
    const patterns: PatternState[] = this.live().map((c) => ({
      id: c.id,
      tokens: [...c.tokens],
      count: c.count,
      top: [...c.top],
      ...(c.firstSeen === undefined ? {} : { firstSeen: c.firstSeen, lastSeen: c.lastSeen }),
      sample: c.sample,
    }));
    return {
      version: 1,
      options: { ...this.options },
      patterns,
      aliases: [...this.aliases.entries()],
      stats: this.stats(),
    };
  }

  load(state: MinerState): void {
    for (const ps of state.patterns) {
      const c = this.create(this.groupOf(groupKeyOf(ps.tokens)), ps.tokens, ps.sample);
      c.count = ps.count;
      c.firstSeen = ps.firstSeen;
      c.lastSeen = ps.lastSeen;
      c.sample = ps.sample;
      setTop(c, ps.top);
    }
    for (const [from, to] of state.aliases) this.aliases.set(from, to);
    Object.assign(this.counters, state.stats);
  }

  private prepare(message: string): Prepared {
    const o = this.options;
    const { words, dropped, cut } = tokenize(message, o.maxTokens, o.maxMessageLength);
    let long = 0;
    const masked = words.map((w) => {
      if (w.length <= o.maxTokenLength) return maskWord(w);
      long++;
      return WILDCARD;
    });
    const tokens = collapseWildcardRuns(foldDates(words, masked));
    // The unread tail is one variable span, so a cut message still joins its pattern.
    if (dropped > 0 || cut) tokens.push(WILDCARD);
    return { tokens, key: tokens.join('\u0000'), groupKey: groupKeyOf(tokens), dropped, cut, long };
  }

  private groupOf(key: string): Cluster[] {
    let group = this.groups.get(key);
    if (!group) {
      group = [];
      this.groups.set(key, group);
    }
    return group;
  }

  private live(): Cluster[] {
    const all: Cluster[] = [];
    for (const group of this.groups.values()) all.push(...group);
    return all.sort((a, b) => a.seq - b.seq);
  }

  private remember(key: string, c: Cluster): void {
    if (this.options.cacheSize === 0) return;
    if (this.cache.size >= this.options.cacheSize) this.cache.clear();
    this.cache.set(key, c);
  }

  private joined(c: Cluster, ts: number | undefined, change: MineResult['change'], previous?: string, merged?: string[]): MineResult {
    c.count++;
    if (ts !== undefined) {
      if (c.firstSeen === undefined || ts < c.firstSeen) c.firstSeen = ts;
      if (c.lastSeen === undefined || ts > c.lastSeen) c.lastSeen = ts;
    }
    const result: MineResult = { patternId: c.id, template: c.text, change, topPatternId: c.topId };
    if (previous !== undefined && previous !== c.id) result.previousPatternId = previous;
    if (merged && merged.length > 0) result.mergedPatternIds = merged;
    return result;
  }

  private create(group: Cluster[], tokens: string[], message: string): Cluster {
    const text = tokens.join(' ');
    const c: Cluster = {
      id: patternIdOf(text),
      tokens,
      text,
      top: tokens,
      topText: '',
      topId: '',
      count: 0,
      sample: message.slice(0, this.options.maxSampleLength),
      seq: this.seq++,
      group,
    };
    setTop(c, tokens);
    this.aliases.delete(c.id);
    group.push(c);
    return c;
  }

  private retemplate(c: Cluster, tokens: string[]): void {
    const text = tokens.join(' ');
    if (text === c.text) return;
    const oldId = c.id;
    c.tokens = tokens;
    c.text = text;
    c.id = patternIdOf(text);
    this.aliases.set(oldId, c.id);
    this.aliases.delete(c.id);
    const top = generaliseTokens(c.top, tokens);
    if (top.join(' ') !== c.top.join(' ')) this.widenTop(c.group, c.topText, top);
  }

  /** Every pattern of the family under `oldTop` moves to the wider top. */
  private widenTop(group: Cluster[], oldTop: string, top: string[]): void {
    for (const o of group) if (o.topText === oldTop) setTop(o, top);
  }

  /** Patterns that `c` now covers are folded into it, so each message has one home. */
  private absorbCovered(c: Cluster): string[] {
    const ids: string[] = [];
    const group = c.group;
    for (let i = group.length - 1; i >= 0; i--) {
      const o = group[i]!;
      if (o === c || !coversAll(c.tokens, o.tokens)) continue;
      this.absorb(o, c);
      ids.push(o.id);
    }
    return ids;
  }

  private absorb(o: Cluster, into: Cluster): void {
    into.count += o.count;
    if (o.firstSeen !== undefined && (into.firstSeen === undefined || o.firstSeen < into.firstSeen)) into.firstSeen = o.firstSeen;
    if (o.lastSeen !== undefined && (into.lastSeen === undefined || o.lastSeen > into.lastSeen)) into.lastSeen = o.lastSeen;
    if (o.id !== into.id) this.aliases.set(o.id, into.id);
    o.next = into;
    const group = o.group;
    group.splice(group.indexOf(o), 1);
    this.counters.merges++;
  }

  /**
   * Patterns that differ from `c` only in one plain word form a family; past `maxSiblings`
   * words at that position they are one pattern with a wildcard there.
   */
  private foldSiblings(c: Cluster): { into: Cluster; ids: string[] } | undefined {
    const byPos = new Map<number, Cluster[]>();
    for (const o of c.group) {
      if (o === c) continue;
      const p = siblingPosition(c.tokens, o.tokens);
      if (p < 0) continue;
      const list = byPos.get(p);
      if (list) list.push(o);
      else byPos.set(p, [o]);
    }
    let sibs: Cluster[] | undefined;
    for (const list of byPos.values()) if (!sibs || list.length > sibs.length) sibs = list;
    if (!sibs || sibs.length + 1 <= this.options.maxSiblings) return undefined;
    const family = [c, ...sibs];
    let tokens = c.tokens;
    let top = c.top;
    for (const o of sibs) {
      tokens = generaliseTokens(tokens, o.tokens);
      top = generaliseTokens(top, o.top);
    }
    const into = family.reduce((a, b) => (b.count > a.count ? b : a));
    const ids = family.filter((o) => o !== into).map((o) => o.id);
    ids.unshift(into.id);
    for (const o of family) if (o !== into) this.absorb(o, into);
    this.retemplate(into, tokens);
    this.widenTop(into.group, into.topText, generaliseTokens(into.top, top));
    for (const id of this.absorbCovered(into)) ids.push(id);
    return { into, ids: ids.filter((id) => id !== into.id) };
  }
}

// Consecutive values (`delete blk_1 blk_2 blk_3`) are one variable span, however many there are.
function collapseWildcardRuns(tokens: string[]): string[] {
  let out: string[] | undefined;
  for (let i = 1; i < tokens.length; i++) {
    if (tokens[i] === WILDCARD && tokens[i - 1] === WILDCARD) {
      out ??= tokens.slice(0, i);
    } else if (out) out.push(tokens[i]!);
  }
  return out ?? tokens;
}

function live(c: Cluster): Cluster {
  let cur = c;
  while (cur.next) cur = cur.next;
  return cur;
}

function info(c: Cluster): PatternInfo {
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

function setTop(c: Cluster, top: string[]): void {
  c.top = top;
  c.topText = topTemplateText(top);
  c.topId = topPatternIdOf(c.topText);
}

// Messages are compared only within a group: same token count and, when it reads as a word,
// the same first token (as Drain's prefix tree does), which keeps unrelated lines apart cheaply.
function groupKeyOf(tokens: readonly string[]): string {
  const first = tokens[0];
  return `${tokens.length} ${first === undefined || isValueLike(first) ? WILDCARD : first}`;
}

function scanGroup(group: readonly Cluster[], tokens: readonly string[]): Scan {
  const n = tokens.length;
  const out: Scan = { sim: -1, hard: 0 };
  let coverEq = -1;
  let bestEq = -1;
  for (const c of group) {
    const t = c.tokens;
    let eq = 0;
    let wild = 0;
    let hard = 0;
    let soft = 0;
    for (let i = 0; i < n; i++) {
      const a = t[i]!;
      const b = tokens[i]!;
      if (a === b) eq++;
      else if (covers(a, b)) wild++;
      else if (isSoftMismatch(a, b)) soft++;
      else hard++;
    }
    if (hard === 0 && soft === 0) {
      if (eq > coverEq) {
        coverEq = eq;
        out.cover = c;
      }
      continue;
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

/** A new sibling keeps the related pattern's variables and generalises value-like differences. */
function skeleton(related: readonly string[], tokens: readonly string[]): string[] {
  return tokens.map((w, i) => {
    const t = related[i]!;
    if (t === w || covers(t, w)) return t;
    return isSoftMismatch(t, w) ? generaliseToken(t, w) : w;
  });
}

function coversAll(t: readonly string[], o: readonly string[]): boolean {
  for (let i = 0; i < t.length; i++) if (t[i] !== o[i] && !covers(t[i]!, o[i]!)) return false;
  return true;
}

/** The one position where two patterns differ in plain words (values may differ anywhere); else -1. */
function siblingPosition(a: readonly string[], b: readonly string[]): number {
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
