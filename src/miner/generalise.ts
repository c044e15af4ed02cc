// Token-level rules the miner merges by: whether a template token covers a message token,
// whether two differing tokens look like values (merge now) or like words (keep apart until
// there are many), and the least general token that covers both. Used by drain.ts.

import { collapseWildcards } from './mask.js';
import { WILDCARD } from './types.js';

/** Does template token `t` (which may hold wildcards, as in `user=<*>`) match token `w`? */
export function covers(t: string, w: string): boolean {
  if (t === w) return true;
  // Bare punctuation (`****`, `->`, `|`) is structure, never a value.
  if (t === WILDCARD) return hasWordChar(w) || w.includes(WILDCARD);
  if (!t.includes(WILDCARD)) return false;
  // A wildcard may stand for nothing (`rhost=` is `rhost=<*>` with an empty value); the
  // literals between must appear in order, and the leftmost place leaves most room for the rest.
  const parts = t.split(WILDCARD);
  const head = parts[0]!;
  const tail = parts[parts.length - 1]!;
  if (!w.startsWith(head) || runsOn(head, w, head.length)) return false;
  let pos = head.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const at = w.indexOf(parts[i]!, pos);
    if (at < 0) return false;
    pos = at + parts[i]!.length;
  }
  const end = w.length - tail.length;
  return end >= pos && w.endsWith(tail) && !runsInto(tail, w, end, pos);
}

const isPunct = (c: number): boolean => c < 128 && !isWordChar(c) && c !== 32;

// A wildcard does not start inside a run of the punctuation before it, nor end inside a run
// of the punctuation after it: `enable...<*>` is not `enable......0` with `...0` as its value.
function runsOn(head: string, w: string, at: number): boolean {
  if (head.length === 0 || at >= w.length) return false;
  const last = head.charCodeAt(head.length - 1);
  return isPunct(last) && w.charCodeAt(at) === last;
}

function runsInto(tail: string, w: string, end: number, start: number): boolean {
  if (tail.length === 0 || end <= start) return false;
  const first = tail.charCodeAt(0);
  return isPunct(first) && w.charCodeAt(end - 1) === first;
}

/** Tokens with a wildcard or two digits are values, not words (one digit: `ssh2`, `eth0`). */
export function isValueLike(token: string): boolean {
  if (token.includes(WILDCARD)) return true;
  let digits = 0;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c >= 48 && c <= 57 && ++digits >= 2) return true;
  }
  return false;
}

/**
 * A difference is soft (the pattern generalises at once) where the pattern already holds a
 * value there, or where the message's token covers the pattern's. Where two words differ, the
 * message may be another event (`tty=console` against `tty=:<*>`, `RUNNING` against
 * `STOPPED`), so the difference is hard: the message starts a sibling pattern, and siblings
 * fold only once a position takes many words.
 * Tokens are compared by their alphanumeric runs, so `illegal instruction......<*>` and
 * `unimplemented operation..<*>` differ in a word, not in a value.
 */
export function isSoftMismatch(t: string, w: string): boolean {
  // The message holds a value where the pattern holds a word (`rhost=<*>` against
  // `rhost=db.example.org`) or nothing (`(<*>)` against `()`): that was one value of a
  // variable.
  if (covers(w, t)) return true;
  const a = wordRuns(t);
  const b = wordRuns(w);
  // Bare punctuation on either side is structure (see covers).
  if (a.length === 0 || b.length === 0) return false;
  if (a.length === b.length) {
    let values = 0;
    for (let i = 0; i < a.length; i++) {
      if (a[i] === b[i]) continue;
      if (!isValueLike(a[i]!) && !sameButDigits(a[i]!, b[i]!)) return false;
      values++;
    }
    // Same words, other punctuation (`address:` and `address`, dotted leaders of another
    // length): another label, not another value.
    return values > 0;
  }
  // Different shapes are one value written two ways only when the words around agree.
  return isValueLike(t) && plainRuns(a) === plainRuns(b);
}

function hasWordChar(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (isWordChar(s.charCodeAt(i))) return true;
  return false;
}

const isWordChar = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;

/** The alphanumeric runs of a token; a wildcard is a run of its own. */
function wordRuns(token: string): string[] {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i <= token.length; i++) {
    const wild = token.startsWith(WILDCARD, i);
    if (i < token.length && !wild && isWordChar(token.charCodeAt(i))) {
      if (start < 0) start = i;
      continue;
    }
    if (start >= 0) out.push(token.slice(start, i));
    start = -1;
    if (wild) {
      out.push(WILDCARD);
      i += WILDCARD.length - 1;
    }
  }
  return out;
}

// Numbered instances of one name (`eth0` and `eth1`, `t1` and `t3`) are values of one kind;
// `eth0` and `wlan0` are two names.
function sameButDigits(a: string, b: string): boolean {
  const x = a.replace(/\d+/g, '#');
  return x !== a && x === b.replace(/\d+/g, '#');
}

const plainRuns = (runs: readonly string[]): string => runs.filter((r) => !isValueLike(r)).join(' ');

function sameDelimiters(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 1; i < a.length; i += 2) if (a[i] !== b[i]) return false;
  return true;
}

const SPLIT = /([=,;()[\]{}"'|@:])/;
const LABEL_SEPS = '-.#/';

/** The least general token covering both `a` and `b`, keeping shared punctuation and labels. */
export function generaliseToken(a: string, b: string): string {
  if (covers(a, b)) return a;
  if (covers(b, a)) return b;
  const pa = a.split(SPLIT);
  const pb = b.split(SPLIT);
  const out = pa.length > 1 && sameDelimiters(pa, pb) ? collapseWildcards(pa.map((p, i) => (i % 2 === 1 ? p : generalisePiece(p, pb[i]!))).join('')) : generalisePiece(a, b);
  // A pattern must go on matching every message it took in, whatever the pieces looked like.
  return covers(out, a) && covers(out, b) ? out : WILDCARD;
}

function generalisePiece(a: string, b: string): string {
  if (a === b) return a;
  if (a.length === 0 || b.length === 0) return a.length === 0 && b.length === 0 ? a : WILDCARD;
  const label = sharedLabel(a, b);
  return label === undefined ? WILDCARD : label + WILDCARD;
}

// `HOST-KX7QZ2` and `HOST-P9R52AB` share the label `HOST-`: keep it, as masking does for
// `node-246`.
function sharedLabel(a: string, b: string): string | undefined {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  let cut = -1;
  for (let j = i - 1; j >= 2; j--) {
    if (LABEL_SEPS.includes(a[j]!)) {
      cut = j;
      break;
    }
  }
  if (cut < 0) return undefined;
  for (let j = 0; j < cut; j++) {
    const c = a.charCodeAt(j);
    if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122))) return undefined;
  }
  return a.slice(0, cut + 1);
}
