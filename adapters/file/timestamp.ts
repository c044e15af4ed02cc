// Timestamp parsing for file logs: a small Java-style pattern (yyyy-MM-dd HH:mm:ss.SSS) compiled
// once per logstore and run on raw bytes in the scan path, plus ISO 8601 and epoch forms, turned
// into epoch ms through the logstore's timezone (UTC, a fixed offset or an IANA zone).

export interface TsParser {
  /** Parses a timestamp at buf[start]; undefined when the bytes there do not form one. */
  bytes(buf: Buffer, start: number, end: number): number | undefined;
  /** Whether buf[start] begins with a timestamp, without computing it (the per-line test). */
  test(buf: Buffer, start: number, end: number): boolean;
  string(text: string): number | undefined;
  /** True when the parser checks a fixed byte shape, cheap enough to test every line with. */
  readonly cheap: boolean;
}

export const DEFAULT_TS_FORMAT = 'yyyy-MM-dd HH:mm:ss.SSS';
export const TS_FORMAT_WORDS = ['iso8601', 'epoch_ms', 'epoch_s'] as const;

type Field = 'y' | 'M' | 'd' | 'H' | 'm' | 's' | 'S';
type Op = { field: Field; width: number } | { literal: number };

const FIELD_CHARS: Record<string, Field> = { y: 'y', M: 'M', d: 'd', H: 'H', m: 'm', s: 's', S: 'S' };

/** Throws an Error whose message says what is wrong with the pattern; callers add the field name. */
export function compileTsFormat(format: string, timezone: string): TsParser {
  const zone = compileZone(timezone);
  if (format === 'epoch_ms' || format === 'epoch_s') return epochParser(format === 'epoch_s' ? 1000 : 1);
  if (format === 'iso8601') return isoParser(zone);
  const ops = compilePattern(format);
  const parse = (get: (i: number) => number, len: number, start: number, testOnly = false): number | undefined => {
    const v = { y: 1970, M: 1, d: 1, H: 0, m: 0, s: 0, S: 0 };
    let i = start;
    for (const op of ops) {
      if ('literal' in op) {
        if (i >= len || get(i) !== op.literal) return undefined;
        i++;
        continue;
      }
      let n = 0;
      for (let k = 0; k < op.width; k++, i++) {
        const c = i < len ? get(i) - 48 : -1;
        if (c < 0 || c > 9) return undefined;
        // Fractions wider than milliseconds keep their first three digits.
        if (op.field !== 'S' || k < 3) n = n * 10 + c;
      }
      if (op.field === 'S' && op.width < 3) n *= op.width === 1 ? 100 : 10;
      v[op.field] = n;
    }
    if (testOnly) return 0;
    if (v.M < 1 || v.M > 12 || v.d < 1 || v.d > 31 || v.H > 23 || v.m > 59 || v.s > 60) return undefined;
    return zone(Date.UTC(v.y, v.M - 1, v.d, v.H, v.m, v.s, v.S));
  };
  return {
    cheap: true,
    bytes: (buf, start, end) => parse((i) => buf[i]!, end, start),
    test: (buf, start, end) => parse((i) => buf[i]!, end, start, true) !== undefined,
    string: (text) => parse((i) => text.charCodeAt(i), text.length, 0),
  };
}

function compilePattern(format: string): Op[] {
  const ops: Op[] = [];
  let i = 0;
  while (i < format.length) {
    const ch = format[i]!;
    if (ch === "'") {
      const end = format.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated quote at position ${i} in "${format}"`);
      for (let k = i + 1; k < end; k++) ops.push({ literal: format.charCodeAt(k) });
      i = end + 1;
      continue;
    }
    const field = FIELD_CHARS[ch];
    if (field) {
      let j = i;
      while (format[j] === ch) j++;
      const width = j - i;
      const ok = field === 'y' ? width === 4 : field === 'S' ? width <= 9 : width === 2;
      if (!ok) throw new Error(`"${ch.repeat(width)}" is not supported in "${format}" (use yyyy, MM, dd, HH, mm, ss, S to SSSSSSSSS)`);
      ops.push({ field, width });
      i = j;
      continue;
    }
    if (/[A-Za-z]/.test(ch)) throw new Error(`letter "${ch}" at position ${i} of "${format}" is not a pattern field; quote literals as 'T'`);
    ops.push({ literal: format.charCodeAt(i) });
    i++;
  }
  if (!ops.some((o) => 'field' in o && o.field === 'y')) throw new Error(`"${format}" has no year (yyyy)`);
  return ops;
}

function epochParser(scale: number): TsParser {
  const fromText = (text: string) => {
    const m = /^\d+(?:\.\d+)?/.exec(text);
    return m ? Math.floor(Number(m[0]) * scale) : undefined;
  };
  return {
    cheap: true,
    bytes: (buf, start, end) => fromText(buf.toString('latin1', start, Math.min(end, start + 32))),
    test: (buf, start, end) => start < end && buf[start]! >= 48 && buf[start]! <= 57,
    string: fromText,
  };
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}:?\d{2})?/;

function isoParser(zone: (localMs: number) => number): TsParser {
  const fromText = (text: string) => {
    const m = ISO.exec(text);
    if (!m) return undefined;
    const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
    const local = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, m[6] ? +m[6] : 0, ms);
    if (Number.isNaN(local)) return undefined;
    return m[8] ? local - offsetMinutes(m[8]) * 60_000 : zone(local);
  };
  return {
    cheap: true,
    bytes: (buf, start, end) => fromText(buf.toString('latin1', start, Math.min(end, start + 40))),
    test: (buf, start, end) => fromText(buf.toString('latin1', start, Math.min(end, start + 40))) !== undefined,
    string: fromText,
  };
}

/** Parses a timestamp value found in a JSON record: epoch numbers (s or ms) or text. */
export function tsFromValue(value: unknown, text: TsParser, iso: TsParser): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value < 1e11 ? Math.floor(value * 1000) : Math.floor(value);
  if (typeof value !== 'string') return undefined;
  return text.string(value) ?? iso.string(value);
}

function offsetMinutes(text: string): number {
  if (text === 'Z') return 0;
  const sign = text[0] === '-' ? -1 : 1;
  const digits = text.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
}

/**
 * Returns a function from "wall clock read as UTC" to epoch ms in the zone. IANA zones are
 * resolved through Intl once per local hour and cached, since Intl is far too slow per line.
 */
export function compileZone(timezone: string): (localMs: number) => number {
  if (timezone === 'UTC' || timezone === 'Z' || timezone === 'GMT') return (ms) => ms;
  if (/^[+-]\d{2}:?\d{2}$/.test(timezone)) {
    const off = offsetMinutes(timezone) * 60_000;
    return (ms) => ms - off;
  }
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
  } catch {
    throw new Error(`unknown timezone "${timezone}" (expected UTC, an offset such as +08:00, or an IANA name such as Asia/Shanghai)`);
  }
  const offsetAt = (utcMs: number): number => {
    const p = Object.fromEntries(fmt.formatToParts(utcMs).map((x) => [x.type, x.value]));
    const wall = Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!);
    return wall - (utcMs - (utcMs % 1000));
  };
  const cache = new Map<number, number>();
  return (local) => {
    const hour = Math.floor(local / 3_600_000);
    let off = cache.get(hour);
    if (off === undefined) {
      off = offsetAt(local - offsetAt(local));
      if (cache.size > 4096) cache.clear();
      cache.set(hour, off);
    }
    return local - off;
  };
}
