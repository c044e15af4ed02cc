// Finds sensitive values in text in one pass: a character scan stops only at anchors ('@', digit
// runs, '=' or ':' after a secret-looking key, word starts such as `eyJ` or `Bearer`) and checks a
// small sticky pattern there, then confirms in code (Luhn, ID check digit, card prefixes). Linear
// in the text, and cheap on the common line that holds nothing sensitive.

import type { MaskKind } from '../rules/index.js';

/** Called for every confirmed hit; returns the replacement for the sensitive part. */
export type Replacer = (kind: MaskKind, normalised: string) => string;

export interface Detector {
  /** Returns `text` with every confirmed hit replaced; `text` itself when nothing was found. */
  replace(text: string, replacer: Replacer): string;
  /** The kind and normalised value when the whole text is one sensitive value. */
  whole(text: string): { kind: MaskKind; normalised: string } | undefined;
}

interface Hit {
  start: number;
  end: number;
  kind: MaskKind;
  normalised: string;
}

const EMAIL = /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}(?![A-Za-z0-9-])/y;
const JWT = /eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/y;
const API_KEY = /(?:sk-[A-Za-z0-9_-]{20,200}|(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{16,200}|AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{36,200}|xox[abprs]-[A-Za-z0-9-]{10,200}|AIza[0-9A-Za-z_-]{35})(?![A-Za-z0-9])/y;
const SCHEME = /(?:[Bb]earer|[Bb]asic)[ \t]+([A-Za-z0-9~+/._-]{8,}=*)/y;
const CARD_SEP = /(?:\d{4}(?:[ -]\d{4}){2}[ -]\d{1,7}|\d{4}[ -]\d{6}[ -]\d{5})(?![A-Za-z0-9])/y;
const MASKED = /<(?:phone|idCard|email|token|card|field):[0-9a-f]{4,64}>/y;
const SECRET_VALUE = /[^\s"',;&<>{}[\]]{3,256}/y;

/** Key names whose value is a secret; matched as the end of the key (`db_password`, `X-Api-Key`). */
const SECRET_KEYS = ['password', 'passwd', 'pwd', 'secret', 'token', 'api_key', 'apikey', 'api-key', 'private_key', 'credential', 'credentials'];
const CN_MOBILE = /^1[3-9]\d{9}$/;

// Character classes by table lookup: the scan asks them for nearly every character.
const DIGIT = 1;
const ALPHA = 2;
const KEY = 4;
const LOCAL = 8;
const CLASS = new Uint8Array(128);
for (let c = 48; c <= 57; c++) CLASS[c] = DIGIT | KEY | LOCAL;
for (let c = 65; c <= 90; c++) CLASS[c] = CLASS[c + 32] = ALPHA | KEY | LOCAL;
for (const c of '_-') CLASS[c.charCodeAt(0)] = KEY | LOCAL;
for (const c of '.%+') CLASS[c.charCodeAt(0)] = LOCAL;
/** What a character may start: a number, an e-mail's @, a secret after = or :, a pseudonym, a token word. */
const NUMBER = 1;
const AT = 2;
const ASSIGN = 3;
const MASK_OPEN = 4;
const WORD = 5;
const ACTION = new Uint8Array(128);
for (let c = 48; c <= 57; c++) ACTION[c] = NUMBER;
ACTION[43] = NUMBER;
ACTION[64] = AT;
ACTION[61] = ACTION[58] = ASSIGN;
ACTION[60] = MASK_OPEN;
// First letters of JWTs (eyJ), Bearer/Basic and the provider key prefixes (sk pk rk AK AI gh xo).
for (const c of 'ebBsprAgx') ACTION[c.charCodeAt(0)] = WORD;
const has = (c: number, bits: number) => c < 128 && (CLASS[c]! & bits) !== 0;
const isDigit = (c: number) => c >= 48 && c <= 57;
const isAlnum = (c: number) => has(c, DIGIT | ALPHA);
const isKeyChar = (c: number) => has(c, KEY);
const isLocalChar = (c: number) => has(c, LOCAL);

export function luhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** A mainland resident ID: region, a real birth date, sequence, ISO 7064 MOD 11-2 check character. */
export function chineseId(id: string): boolean {
  if (id.length !== 18 || id.charCodeAt(0) < 49 || id.charCodeAt(0) > 56) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const d = id.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    sum += d * ID_WEIGHTS[i]!;
  }
  if (ID_CHECK[sum % 11] !== id[17]!.toUpperCase()) return false;
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const date = new Date(Date.UTC(y, m - 1, d));
  return y >= 1900 && y <= 2099 && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** Card numbers by issuer prefix and length, then Luhn; keeps epoch ms, snowflake ids and dates out. */
export function cardNumber(digits: string): boolean {
  const n = digits.length;
  if (n < 13 || n > 19) return false;
  const p2 = Number(digits.slice(0, 2));
  const p3 = Number(digits.slice(0, 3));
  const p4 = Number(digits.slice(0, 4));
  const ok =
    (digits[0] === '4' && (n === 13 || n === 16 || n === 19)) ||
    (((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) && n === 16) ||
    ((p2 === 34 || p2 === 37) && n === 15) ||
    ((p2 === 62 || p2 === 65 || p4 === 6011 || (p3 >= 644 && p3 <= 649) || (p4 >= 3528 && p4 <= 3589)) && n >= 16) ||
    (p2 === 36 && n >= 14) ||
    (((p3 >= 300 && p3 <= 305) || p2 === 38 || p2 === 39 || p2 === 50 || (p2 >= 56 && p2 <= 58) || p2 === 67) && n >= 16);
  return ok && luhn(digits);
}

/** `key[from, to)` ends with `name` (any case) at a word boundary, compared in place to stay allocation-free. */
function endsWithKey(text: string, from: number, to: number, name: string): boolean {
  const start = to - name.length;
  if (start < from) return false;
  for (let i = 0; i < name.length; i++) {
    const c = text.charCodeAt(start + i);
    if ((c >= 65 && c <= 90 ? c + 32 : c) !== name.charCodeAt(i)) return false;
  }
  return start === from || !isAlnum(text.charCodeAt(start - 1));
}

/** The first two letters of the provider key prefixes: sk pk rk AK AI gh xo. */
function apiKeyStart(c: number, d: number): boolean {
  return ((c === 115 || c === 112 || c === 114) && d === 107) || (c === 65 && (d === 75 || d === 73)) || (c === 103 && d === 104) || (c === 120 && d === 111);
}

function sticky(re: RegExp, text: string, at: number): RegExpExecArray | null {
  re.lastIndex = at;
  return re.exec(text);
}

export function compileDetector(kinds: ReadonlySet<MaskKind>): Detector {
  const phone = kinds.has('phone');
  const idCard = kinds.has('idCard');
  const card = kinds.has('card');
  const email = kinds.has('email');
  const token = kinds.has('token');
  const numbers = phone || idCard || card;

  /** A run of digits (maybe `+`, `+86 ` first, a check `X` last) that is a phone, ID or card. */
  const numberAt = (text: string, i: number): Hit | number => {
    let j = i;
    if (text.charCodeAt(j) === 43) j += text.startsWith('+86 ', j) || text.startsWith('+86-', j) ? 4 : 1;
    const digitsFrom = j;
    while (j < text.length && isDigit(text.charCodeAt(j))) j++;
    const count = j - digitsFrom;
    if (count === 0) return i + 1;
    const sep = text.charCodeAt(j);
    if (card && count === 4 && i === digitsFrom && (sep === 32 || sep === 45) && isDigit(text.charCodeAt(j + 1))) {
      const m = sticky(CARD_SEP, text, i);
      if (m && cardNumber(m[0].replace(/[ -]/g, ''))) return { start: i, end: i + m[0].length, kind: 'card', normalised: m[0].replace(/[ -]/g, '') };
    }
    if ((text.charCodeAt(j) | 32) === 120 /* x */ && count === 17) j++;
    const next = text.charCodeAt(j);
    // A number glued to letters is an identifier, and one before '@' is an e-mail's local part.
    if (count < 7 || count > 19 || isAlnum(next) || next === 64) return j;
    const raw = text.slice(i, j);
    const hit = classifyNumber(raw, digitsFrom > i);
    return hit ? { start: i, end: j, ...hit } : j;
  };

  const classifyNumber = (raw: string, plus: boolean): { kind: MaskKind; normalised: string } | undefined => {
    if (plus) {
      if (!phone) return undefined;
      const digits = raw.replace(/\D/g, '');
      if (digits.length < 8 || digits.length > 15 || digits[0] === '0') return undefined;
      if (digits.startsWith('86') && CN_MOBILE.test(digits.slice(2))) return { kind: 'phone', normalised: digits.slice(2) };
      return { kind: 'phone', normalised: `+${digits}` };
    }
    if (raw.length === 18 && idCard && chineseId(raw)) return { kind: 'idCard', normalised: raw.toUpperCase() };
    if (phone && raw.length === 11 && CN_MOBILE.test(raw)) return { kind: 'phone', normalised: raw };
    if (card && cardNumber(raw)) return { kind: 'card', normalised: raw };
    return undefined;
  };

  const emailAt = (text: string, at: number, floor: number): Hit | undefined => {
    let s = at;
    while (s > floor && at - s < 64 && isLocalChar(text.charCodeAt(s - 1))) s--;
    if (s === at || (s > floor && isLocalChar(text.charCodeAt(s - 1)))) return undefined;
    const m = sticky(EMAIL, text, s);
    return m ? { start: s, end: s + m[0].length, kind: 'email', normalised: m[0].toLowerCase() } : undefined;
  };

  /** After `=` or `:`: is the key before it a secret's name? Then the value after it is a token. */
  const secretAfter = (text: string, at: number): Hit | undefined => {
    let k = at;
    while (k > 0 && (text.charCodeAt(k - 1) === 32 || text.charCodeAt(k - 1) === 9)) k--;
    if (k > 0 && (text.charCodeAt(k - 1) === 34 || text.charCodeAt(k - 1) === 39)) k--;
    const keyEnd = k;
    while (k > 0 && keyEnd - k < 64 && isKeyChar(text.charCodeAt(k - 1))) k--;
    if (keyEnd - k < 3 || !SECRET_KEYS.some((name) => endsWithKey(text, k, keyEnd, name))) return undefined;
    let v = at + 1;
    while (text.charCodeAt(v) === 32 || text.charCodeAt(v) === 9) v++;
    if (text.charCodeAt(v) === 34 || text.charCodeAt(v) === 39) v++;
    if (text.charCodeAt(v) === 60 && sticky(MASKED, text, v)) return undefined;
    const m = sticky(SECRET_VALUE, text, v);
    return m ? { start: v, end: v + m[0].length, kind: 'token', normalised: m[0] } : undefined;
  };

  /** Tokens that start a word: JWTs, `Bearer x`/`Basic x`, provider API keys. */
  const tokenWordAt = (text: string, i: number, c: number): Hit | undefined => {
    if (c === 101 /* e */ && text.startsWith('eyJ', i)) {
      const m = sticky(JWT, text, i);
      if (m) return { start: i, end: i + m[0].length, kind: 'token', normalised: m[0] };
    }
    if ((c | 32) === 98 /* b */) {
      const m = sticky(SCHEME, text, i);
      if (m) return { start: i + m[0].length - m[1]!.length, end: i + m[0].length, kind: 'token', normalised: m[1]! };
    }
    if (apiKeyStart(c, text.charCodeAt(i + 1))) {
      const m = sticky(API_KEY, text, i);
      if (m) return { start: i, end: i + m[0].length, kind: 'token', normalised: m[0] };
    }
    return undefined;
  };

  /** The first confirmed hit at or after `from`; hits never overlap because the caller resumes at `end`. */
  const nextHit = (text: string, from: number): Hit | undefined => {
    const n = text.length;
    let prev = from === 0 ? 32 : text.charCodeAt(from - 1);
    let i = from;
    while (i < n) {
      const c = text.charCodeAt(i);
      const act = c < 128 ? ACTION[c]! : 0;
      // Most characters can start nothing: one table lookup and on.
      if (act === 0 || (act === WORD && (!token || isKeyChar(prev)))) {
        prev = c;
        i++;
        continue;
      }
      let hit: Hit | undefined;
      if (act === MASK_OPEN) {
        // A pseudonym from an earlier pass is left as it is.
        const m = sticky(MASKED, text, i);
        if (m) {
          i += m[0].length;
          prev = 62;
          continue;
        }
      } else if (act === NUMBER) {
        if (numbers && !isAlnum(prev) && prev !== 43) {
          const r = numberAt(text, i);
          if (typeof r !== 'number') return r;
          i = Math.max(r, i + 1);
          prev = text.charCodeAt(i - 1);
          continue;
        }
      } else if (act === AT) {
        if (email) hit = emailAt(text, i, from);
      } else if (act === ASSIGN) {
        if (token) hit = secretAfter(text, i);
      } else hit = tokenWordAt(text, i, c);
      if (hit !== undefined) return hit;
      prev = c;
      i++;
    }
    return undefined;
  };

  return {
    replace(text, replacer) {
      let out = '';
      let last = 0;
      for (let hit = nextHit(text, 0); hit !== undefined; hit = nextHit(text, hit.end)) {
        out += text.slice(last, hit.start) + replacer(hit.kind, hit.normalised);
        last = hit.end;
      }
      return last === 0 ? text : out + text.slice(last);
    },
    whole(text) {
      const hit = nextHit(text, 0);
      if (hit === undefined || hit.start !== 0 || hit.end !== text.length) return undefined;
      return { kind: hit.kind, normalised: hit.normalised };
    },
  };
}
