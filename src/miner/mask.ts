// Masks the variable parts of one word before clustering: numbers, hex, IPs, MACs, times, UUIDs,
// paths, URLs, key=value values, booleans. It keeps the word's punctuation, so `uid=0,` becomes
// `uid=<*>,` and the template still reads like the log line. Runs per word, after tokenize.ts.

import { WILDCARD } from './types.js';

const COLON = 58;
const DOT = 46;
const SLASH = 47;
const BACKSLASH = 92;

// Character classes, looked up once per character on the hot path.
const DIGIT = 1;
const LETTER = 2;
const HEX = 4;
// Punctuation that separates a value from its key or its brackets. `:` is handled apart,
// because MACs, IPv6 and times contain it; `<` and `>` are not here, since they are rarely
// brackets around a single value (`<memory:1024, cores:1>`).
const DELIM = 8;
const PATHY = 16;
const COLON_SEP = 32;
const CLASS = new Uint8Array(128);
for (let c = 48; c <= 57; c++) CLASS[c] = DIGIT | HEX;
for (let c = 65; c <= 90; c++) CLASS[c] = LETTER | (c <= 70 ? HEX : 0);
for (let c = 97; c <= 122; c++) CLASS[c] = LETTER | (c <= 102 ? HEX : 0);
for (const ch of '=,;()[]{}"\'|@') CLASS[ch.charCodeAt(0)] = DELIM;
CLASS[COLON] = COLON_SEP;
CLASS[SLASH] = PATHY;
CLASS[BACKSLASH] = PATHY;

const classOf = (c: number): number => (c < 128 ? CLASS[c]! : 0);
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isHex = (c: number): boolean => (classOf(c) & HEX) !== 0;

const LITERAL_VALUES = new Set(['true', 'false', 'null']);
/** `<kind:hex>` as the compute core's and the gateway's maskers write it, with trailing punctuation. */
const PSEUDONYM = /^<[A-Za-z]{1,16}:[0-9a-f]{4,64}>([,;.)\]}'"]*)$/;

/**
 * Masks one word. Words with no digit and nothing path- or value-like are returned as they are.
 * `memo` (owned by the caller) remembers the words that needed the full scan: hosts, ports and
 * small numbers recur in logs far more often than their variety suggests.
 */
export function maskWord(word: string, memo?: Map<string, string>): string {
  // A pseudonym the masking stages wrote (`<email:d16d9a56>`) is one value, brackets included.
  if (word.charCodeAt(0) === 60 /* < */) {
    const m = PSEUDONYM.exec(word);
    if (m) return WILDCARD + m[1];
  }
  // The fast path: most words of a log line are plain words and skip the segment scan.
  let seen = 0;
  let hex = true;
  let dots = 0;
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    const k = classOf(c);
    seen |= k;
    if ((k & HEX) === 0) hex = false;
    // Dotted leaders, or a name dotted twice that may be a host.
    if (c === DOT && (word.charCodeAt(i + 1) === DOT || ++dots >= 2)) seen |= PATHY;
  }
  if ((seen & (DIGIT | PATHY)) === 0) {
    if ((seen & (DELIM | COLON_SEP)) === 0) return LITERAL_VALUES.has(word) || (hex && word.length >= 8) ? WILDCARD : word;
    if (!word.includes('true') && !word.includes('false') && !word.includes('null')) return word;
  }
  if (memo) {
    let masked = memo.get(word);
    if (masked === undefined) {
      masked = maskValues(word);
      if (memo.size >= MEMO_SIZE) memo.clear();
      memo.set(word, masked);
    }
    return masked;
  }
  return maskValues(word);
}

const MEMO_SIZE = 8192;

function maskValues(word: string): string {
  const url = word.indexOf('://');
  if (url > 0) return maskUrl(word, url);
  let out = '';
  let start = 0;
  for (let i = 0; i <= word.length; i++) {
    if (i === word.length || ((classOf(word.charCodeAt(i)) & DELIM) !== 0 && !inQuery(word, start, i))) {
      out += maskSegment(word.slice(start, i));
      if (i < word.length) out += word[i];
      start = i + 1;
    }
  }
  return collapseWildcards(out);
}

// `=` inside the query of a path (`/orders?id=7`) belongs to the path, which is one value.
const inQuery = (word: string, start: number, at: number): boolean =>
  word.charCodeAt(at) === 61 /* = */ && word.charCodeAt(start) === SLASH && word.lastIndexOf('?', at) > start;

// The scheme says what kind of resource a URL names; host, port, path and query are values,
// unless the URL carries no digit and no query (a fixed link such as a documentation page).
function maskUrl(word: string, sep: number): string {
  let start = sep;
  while (start > 0 && /[A-Za-z0-9+.-]/.test(word[start - 1]!)) start--;
  let end = sep + 3;
  while (end < word.length && !URL_END.includes(word[end]!)) end++;
  const rest = word.slice(sep + 3, end);
  const url = start === sep ? word.slice(start, end) : hasDigit(rest) || rest.includes('?') ? word.slice(start, sep + 3) + WILDCARD : word.slice(start, end);
  return (start > 0 ? maskWord(word.slice(0, start)) : '') + url + (end < word.length ? maskWord(word.slice(end)) : '');
}

const URL_END = '"\'()[]{}<>,;|';

function maskSegment(s: string): string {
  const colon = s.indexOf(':');
  if (colon < 0) return maskPiece(s);
  if (colon === 1 && s.charCodeAt(2) === BACKSLASH && isLetter(s.charCodeAt(0))) return WILDCARD; // C:\path
  if (colon !== s.lastIndexOf(':') && isColonGroups(s)) return WILDCARD; // MAC, IPv6, time
  const raw = s.split(':');
  const out = raw.map((p) => maskPiece(p));
  // host:port; the port says the piece before it names a host, whatever that name looks like.
  for (let i = 1; i < raw.length; i++) {
    if (isNumber(raw[i]!) && looksLikeHost(raw[i - 1]!)) out[i - 1] = WILDCARD;
  }
  return out.join(':');
}

const isNumber = (s: string): boolean => /^\d{1,5}\.?$/.test(s);

// Host names worth masking: they carry a digit and a `-` or `.` (`db-prod-3`), or are dotted
// twice (`ns.example.com`). Plain words (`localhost`, `sessionid`) stay as they are.
function looksLikeHost(s: string): boolean {
  if (!/[A-Za-z]/.test(s) || s.includes('/')) return false;
  const dots = s.split('.').length - 1;
  return dots >= 2 || (hasDigit(s) && (dots > 0 || s.includes('-')));
}

// Top-level domains that end most host names in logs; a dotted name ending in one of them is a
// host (`ns.example.com`), while Java names put the domain first (`org.apache.Foo`).
const TLDS = new Set('com net org edu gov mil int io co uk de jp cn ru fr us eu info biz local lan internal corp arpa'.split(' '));

function isHostName(p: string): boolean {
  let dots = 0;
  let lastDot = -1;
  for (let i = 0; i < p.length; i++) {
    const c = p.charCodeAt(i);
    if (c === DOT) {
      if (i === lastDot + 1) return false; // an empty label
      dots++;
      lastDot = i;
    } else if (!isLetter(c) && !isDigit(c) && c !== 45 /* - */) return false;
  }
  return dots >= 2 && lastDot < p.length - 1 && TLDS.has(p.slice(lastDot + 1).toLowerCase());
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

// Hex or digit groups joined by colons: MAC and IPv6 addresses, clock times.
function isColonGroups(s: string): boolean {
  let digits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === COLON) continue;
    if (!isHex(c)) return false;
    if (isDigit(c)) digits++;
  }
  return digits > 0;
}

function maskPiece(p: string): string {
  if (p.length === 0) return p;
  const first = p.charCodeAt(0);
  if ((first === SLASH || first === BACKSLASH) && p.length > 1) return WILDCARD;
  if (p.startsWith('./') || p.startsWith('../') || p.startsWith('~/')) return WILDCARD;
  const dots = p.indexOf('..');
  if (dots >= 0) {
    // Dotted leaders (`enable......0`) separate a label from its value.
    let end = dots;
    while (p.charCodeAt(end) === DOT) end++;
    return maskPiece(p.slice(0, dots)) + p.slice(dots, end) + maskPiece(p.slice(end));
  }
  if (p.length > 1 && p.charCodeAt(p.length - 1) === DOT) return maskPiece(p.slice(0, -1)) + '.';
  if (p.indexOf('.') !== p.lastIndexOf('.') && isHostName(p)) return WILDCARD;
  if (!hasDigit(p)) {
    if (LITERAL_VALUES.has(p)) return WILDCARD;
    if (p.length >= 8 && isHexRun(p, 0, p.length)) return WILDCARD;
    return p;
  }
  if (first === 35 /* # */) return '#' + WILDCARD;
  const slash = p.indexOf('/');
  if (slash > 0) {
    if (slash !== p.lastIndexOf('/')) return WILDCARD; // a relative path
    // `host/10.0.0.1` (how Java prints a socket address), `PS/2`, `8086/2410`: two parts.
    const before = p.slice(0, slash);
    const after = p.slice(slash + 1);
    const host = IPV4.test(after) && looksLikeHost(before) ? WILDCARD : maskPiece(before);
    return host + '/' + maskPiece(after);
  }
  const prefixed = labelledValue(p);
  if (prefixed !== undefined) return prefixed;
  if (isIdentifier(p)) return p;
  return WILDCARD;
}

// `node-246`, `core.2275`, `CPU#0`, `nginx-1.24.0`: a word label, one separator, then a value.
function labelledValue(p: string): string | undefined {
  let i = 0;
  while (i < p.length && isLetter(p.charCodeAt(i))) i++;
  if (i < 2 || i + 1 >= p.length) return undefined;
  const sep = p.charCodeAt(i);
  if (sep !== 45 /* - */ && sep !== DOT && sep !== 35 /* # */ && sep !== SLASH) return undefined;
  if (!isDigit(p.charCodeAt(i + 1))) return undefined;
  return p.slice(0, i + 1) + WILDCARD;
}

// Names that carry a digit but read as words (`ssh2`, `eth0`, `log4j.properties`): they start
// with a letter, have no more digits than letters and no counter-like digit run. Whether they
// vary is left to clustering.
function isIdentifier(p: string): boolean {
  if (!isLetter(p.charCodeAt(0))) return false;
  if (p.length >= 6 && isHexRun(p, 0, p.length)) return false;
  let letters = 0;
  let digits = 0;
  let run = 0;
  for (let i = 0; i < p.length; i++) {
    const c = p.charCodeAt(i);
    if (isDigit(c)) {
      digits++;
      // Four digits in a row are a counter or a timestamp (`Client_OPS_1537864556_1`),
      // and so are three after a separator (`blk_123`), unlike a name's `e820` or `x86`.
      if (++run >= 4 || (run === 3 && !isLetter(p.charCodeAt(i - 3)))) return false;
      continue;
    }
    run = 0;
    if (isLetter(c)) letters++;
    else if (c !== 95 /* _ */ && c !== 45 /* - */ && c !== DOT && c !== 36 /* $ */) return false;
  }
  return digits <= letters;
}

function isHexRun(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isHex(s.charCodeAt(i))) return false;
  return true;
}

export function hasDigit(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (isDigit(s.charCodeAt(i))) return true;
  return false;
}

/** `<*><*>` says nothing more than `<*>`. */
export function collapseWildcards(s: string): string {
  let out = s;
  while (out.includes('<*><*>')) out = out.replaceAll('<*><*>', WILDCARD);
  return out;
}
