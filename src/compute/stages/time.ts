// Reading and writing times for the compute core: time zones (fixed offsets or IANA names), the
// many timestamp spellings seen in logs (epoch s/ms/µs/ns, ISO, "yyyy-MM-dd HH:mm:ss,SSS", CLF,
// RFC 2822, compact digits) turned into epoch ms, and epoch ms written back in one chosen format.

export interface Zone {
  readonly name: string;
  /** Set when the offset never changes, so hot paths can skip the lookup. */
  readonly fixedMinutes: number | undefined;
  /** Minutes east of UTC in force at a UTC instant. */
  offsetAt(utcMs: number): number;
}

export const TIME_FORMATS = ['epochMs', 'epochS', 'yyyy-MM-dd HH:mm:ss', 'yyyy-MM-dd HH:mm:ss.SSS', 'iso'] as const;
export type TimeFormat = (typeof TIME_FORMATS)[number];
export type AlignUnit = 'second' | 'minute' | 'hour' | 'day';

const MINUTE = 60_000;
const UNIT_MS: Record<AlignUnit, number> = { second: 1000, minute: MINUTE, hour: 3_600_000, day: 86_400_000 };

function fixedZone(name: string, minutes: number): Zone {
  return { name, fixedMinutes: minutes, offsetAt: () => minutes };
}

export const UTC: Zone = fixedZone('UTC', 0);

const OFFSET = /^([+-])(\d{2}):?(\d{2})$/;
const zones = new Map<string, Zone | null>();

/** A zone from `UTC`, `Z`, `+08:00`, `-0530` or an IANA name; undefined when the name is unknown. */
export function resolveTimeZone(name: string): Zone | undefined {
  const cached = zones.get(name);
  if (cached !== undefined) return cached ?? undefined;
  const zone = buildZone(name);
  if (zones.size < 1024) zones.set(name, zone ?? null);
  return zone;
}

function buildZone(name: string): Zone | undefined {
  const upper = name.toUpperCase();
  if (upper === 'UTC' || upper === 'Z' || upper === 'GMT') return UTC;
  const m = OFFSET.exec(name);
  if (m) {
    const minutes = Number(m[2]) * 60 + Number(m[3]);
    if (Number(m[2]) > 14 || Number(m[3]) > 59) return undefined;
    return fixedZone(name, m[1] === '-' ? -minutes : minutes);
  }
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: name, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
  } catch {
    return undefined;
  }
  // Offsets change at most a few times a year and always on a quarter hour, so one lookup per
  // quarter hour of the clock serves every event in it.
  const cache = new Map<number, number>();
  const offsetAt = (utcMs: number): number => {
    const bucket = Math.floor(utcMs / (15 * MINUTE));
    let off = cache.get(bucket);
    if (off === undefined) {
      const p: Record<string, number> = {};
      for (const part of fmt.formatToParts(new Date(bucket * 15 * MINUTE))) if (part.type !== 'literal') p[part.type] = Number(part.value);
      const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
      off = Math.round((wall - bucket * 15 * MINUTE) / MINUTE);
      if (cache.size > 4096) cache.clear();
      cache.set(bucket, off);
    }
    return off;
  };
  return { name, fixedMinutes: undefined, offsetAt };
}

/** UTC instant of a wall-clock time (given as if it were UTC) read in a zone. */
export function wallToUtc(wallMs: number, zone: Zone): number {
  if (zone.fixedMinutes !== undefined) return wallMs - zone.fixedMinutes * MINUTE;
  const first = wallMs - zone.offsetAt(wallMs) * MINUTE;
  const second = zone.offsetAt(first);
  return wallMs - second * MINUTE;
}

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Epoch ms of wall-clock fields, or NaN when a field is out of range. */
export function wallMs(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  if (y < 1 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > DAYS[mo - 1]! || h > 23 || mi > 59 || s > 60 || ms > 999) return NaN;
  const t = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  if (mo === 2 && d === 29 && new Date(t).getUTCMonth() !== 1) return NaN;
  return t;
}

const ISO = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/i;
const COMPACT = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})(\d{3})?)?$/;
const CLF = /^(\d{1,2})\/([A-Za-z]{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2})(?:\s*([+-]\d{4}))?$/;
const RFC2822 = /^(?:[A-Za-z]{3},?\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(GMT|UTC|Z|[+-]\d{4})?$/i;
const NUMERIC = /^-?\d+(?:\.\d+)?$/;
const MONTHS: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };

/** Epoch numbers by magnitude: seconds until year 5138, then ms, µs, ns. */
function epochToMs(n: number): number | undefined {
  if (!Number.isFinite(n)) return undefined;
  const a = Math.abs(n);
  const ms = a < 1e11 ? n * 1000 : a < 1e14 ? n : a < 1e17 ? n / 1000 : n / 1e6;
  return Number.isFinite(ms) ? Math.floor(ms) : undefined;
}

function zoneOf(text: string | undefined, fallback: Zone): Zone | undefined {
  if (text === undefined) return fallback;
  return resolveTimeZone(text.length === 3 && (text[0] === '+' || text[0] === '-') ? `${text}00` : text);
}

function finish(wall: number, zone: Zone | undefined): number | undefined {
  if (Number.isNaN(wall) || zone === undefined) return undefined;
  return wallToUtc(wall, zone);
}

function fraction(digits: string | undefined): number {
  return digits ? Math.floor(Number(`0.${digits}`) * 1000) : 0;
}

/**
 * Epoch ms of a timestamp in any supported spelling; strings without a zone are read in `zone`.
 * Returns undefined for anything it cannot read, never NaN.
 */
export function toEpochMs(value: unknown, zone: Zone = UTC): number | undefined {
  if (typeof value === 'number') return epochToMs(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime();
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text.length === 0 || text.length > 64) return undefined;
  let m = COMPACT.exec(text);
  if (m && (m[4] !== undefined || text.length === 8)) {
    const wall = wallMs(+m[1]!, +m[2]!, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), +(m[7] ?? 0));
    if (!Number.isNaN(wall)) return wallToUtc(wall, zone);
  }
  if (NUMERIC.test(text)) return epochToMs(Number(text));
  if ((m = ISO.exec(text))) {
    return finish(wallMs(+m[1]!, +m[2]!, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), fraction(m[7])), zoneOf(m[8], zone));
  }
  if ((m = CLF.exec(text))) {
    const mo = MONTHS[m[2]!.toLowerCase()];
    if (mo === undefined) return undefined;
    return finish(wallMs(+m[3]!, mo, +m[1]!, +m[4]!, +m[5]!, +m[6]!, 0), zoneOf(m[7], zone));
  }
  if ((m = RFC2822.exec(text))) {
    const mo = MONTHS[m[2]!.toLowerCase()];
    if (mo === undefined) return undefined;
    return finish(wallMs(+m[3]!, mo, +m[1]!, +m[4]!, +m[5]!, +(m[6] ?? 0), 0), zoneOf(m[7], zone));
  }
  return undefined;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const pad3 = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

function offsetText(minutes: number): string {
  if (minutes === 0) return 'Z';
  const a = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${pad2(Math.floor(a / 60))}:${pad2(a % 60)}`;
}

/** Writes epoch ms in one of TIME_FORMATS; wall-clock formats are written in `zone`. */
export function formatTime(ms: number, format: TimeFormat, zone: Zone = UTC): number | string {
  if (format === 'epochMs') return ms;
  if (format === 'epochS') return Math.floor(ms / 1000);
  const off = zone.offsetAt(ms);
  const d = new Date(ms + off * MINUTE);
  const date = `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
  const time = `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
  if (format === 'yyyy-MM-dd HH:mm:ss') return `${date} ${time}`;
  if (format === 'yyyy-MM-dd HH:mm:ss.SSS') return `${date} ${time}.${pad3(d.getUTCMilliseconds())}`;
  return `${date}T${time}.${pad3(d.getUTCMilliseconds())}${offsetText(off)}`;
}

/** Floors an instant to the start of its second/minute/hour/day on the wall clock of `zone`. */
export function alignMs(ms: number, unit: AlignUnit, zone: Zone = UTC): number {
  const size = UNIT_MS[unit];
  const off = zone.offsetAt(ms) * MINUTE;
  const wall = ms + off;
  return wallToUtc(wall - (((wall % size) + size) % size), zone);
}
