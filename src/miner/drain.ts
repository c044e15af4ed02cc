// The streaming template miner (Drain family). Each message is tokenised and masked, then
// matched against the patterns of its group (same token count, same first word): covered
// messages join, value-like differences generalise a pattern, and plain-word differences make
// sibling patterns that fold into one only when a position takes many words. Pure: no I/O,
// no clock, no globals; persistence and timestamps belong to the caller.

import { coversAll, groupKeyOf, info, live, scanGroup, setTop, siblingPosition, type Cluster } from './cluster.js';
import { foldDates } from './dates.js';
import { patternIdOf } from './hash.js';
import { maskWord } from './mask.js';
import { resolveOptions } from './options.js';
import { generaliseTokens } from './top-pattern.js';
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

interface Prepared {
  tokens: string[];
  key: string;
  dropped: number;
  cut: boolean;
  long: number;
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
  private readonly memo = new Map<string, string>();
  private seq = 0;
  private size = 0;
  private readonly counters: MinerStats = {
    messages: 0,
    patterns: 0,
    truncatedTokens: 0,
    truncatedMessages: 0,
    longTokens: 0,
    merges: 0,
    evicted: 0,
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

    const group = this.groupOf(groupKeyOf(p.tokens));
    const scan = scanGroup(group, p.tokens, this.options.similarity);
    if (scan.cover) {
      this.remember(p.key, scan.cover);
      return this.joined(scan.cover, ts, 'none');
    }
    const best = scan.best;
    if (best && scan.hard === 0) {
      const before = best.id;
      this.retemplate(best, generaliseTokens(best.tokens, p.tokens));
      const merged = this.absorbCovered(best);
      if (before !== best.id) merged.unshift(before);
      this.remember(p.key, best);
      return this.joined(best, ts, merged.length > 0 ? 'updated' : 'none', before, merged);
    }
    const created = this.create(group, p.tokens, message);
    if (best) {
      const top = generaliseTokens(best.top, created.tokens);
      this.widenTop(group, best.topText, top);
      setTop(created, top);
    }
    const folded = this.foldSiblings(created);
    if (folded) {
      const merged = folded.ids;
      this.remember(p.key, folded.into);
      return this.joined(folded.into, ts, 'updated', merged[0], merged);
    }
    this.remember(p.key, created);
    const result = this.joined(created, ts, 'created');
    if (this.size > this.options.maxPatterns) this.evict();
    return result;
  }

  match(message: string): PatternInfo | undefined {
    const p = this.prepare(message);
    const cached = this.cache.get(p.key);
    if (cached) return info(live(cached));
    const group = this.groups.get(groupKeyOf(p.tokens));
    const cover = group && scanGroup(group, p.tokens, this.options.similarity).cover;
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
    return { ...this.counters, patterns: this.size };
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
    const masked = new Array<string>(words.length);
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      if (w.length <= o.maxTokenLength) masked[i] = maskWord(w, this.memo);
      else {
        masked[i] = WILDCARD;
        long++;
      }
    }
    const tokens = foldDates(words, masked);
    // The unread tail is one variable span, so a cut message still joins its pattern.
    if (dropped > 0 || cut) tokens.push(WILDCARD);
    return { tokens, key: tokens.join('\u0000'), dropped, cut, long };
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
    c.hit = this.counters.messages;
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
      hit: this.counters.messages,
      group,
    };
    setTop(c, tokens);
    this.aliases.delete(c.id);
    group.push(c);
    this.size++;
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
    this.unlink(o);
    this.counters.merges++;
  }

  private unlink(o: Cluster): void {
    const group = o.group;
    group.splice(group.indexOf(o), 1);
    this.size--;
  }

  /** Drops the least recently hit tenth of the patterns; cached routes to them go too. */
  private evict(): void {
    const all = this.live().sort((a, b) => a.hit - b.hit || a.seq - b.seq);
    const drop = Math.max(this.size - this.options.maxPatterns, Math.ceil(this.options.maxPatterns / 10));
    for (const o of all.slice(0, drop)) {
      this.unlink(o);
      this.counters.evicted++;
    }
    for (const [key, group] of this.groups) if (group.length === 0) this.groups.delete(key);
    this.cache.clear();
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
