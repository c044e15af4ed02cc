// Time-of-day ranges for the "time in ranges" / "time outside ranges" operators
// ("20:00:00-23:59:59,00:00:00-08:00:00"), and the clock that turns a field's value into a
// time of day in the rule's time zone. Used by metric where-filters and alert conditions.

export interface TimeRange {
  /** Seconds of the day, both inclusive; start > end means the range crosses midnight. */
  start: number;
  end: number;
}

const DAY_S = 86_400;
const DAY_MS = 86_400_000;
const ENDPOINT = /^(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?$/;

/**
 * Parses comma-separated ranges. An endpoint may be given to the hour ("20"), the minute
 * ("20:30") or the second ("20:30:15"); an end covers the whole of its last unit, so "9-17"
 * runs to 17:59:59 and "20:00-23:59" to 23:59:59. A start later than its end crosses midnight.
 * Returns the ranges, or a reason with the 1-based column it refers to.
 */
export function parseTimeRanges(text: string): TimeRange[] | { error: string } {
  const ranges: TimeRange[] = [];
  let column = 1;
  for (const part of text.split(',')) {
    const at = column + (part.length - part.trimStart().length);
    column += part.length + 1;
    const body = part.trim();
    if (body === '') return { error: `empty time range at column ${at}` };
    const dash = body.indexOf('-');
    if (dash < 0) return { error: `time range "${body}" at column ${at} has no "-" between start and end` };
    const from = parseEndpoint(body.slice(0, dash).trim(), false);
    if (typeof from === 'string') return { error: `time range "${body}" at column ${at}: start ${from}` };
    const to = parseEndpoint(body.slice(dash + 1).trim(), true);
    if (typeof to === 'string') return { error: `time range "${body}" at column ${at}: end ${to}` };
    ranges.push({ start: from, end: to });
  }
  return ranges;
}

function parseEndpoint(s: string, isEnd: boolean): number | string {
  const m = ENDPOINT.exec(s);
  if (!m) return `"${s}" is not a time of day (expected H, H:MM or H:MM:SS)`;
  const h = Number(m[1]);
  const min = m[2] === undefined ? undefined : Number(m[2]);
  const sec = m[3] === undefined ? undefined : Number(m[3]);
  if (h > 23) return `hour ${h} is out of 0..23`;
  if (min !== undefined && min > 59) return `minute ${min} is out of 0..59`;
  if (sec !== undefined && sec > 59) return `second ${sec} is out of 0..59`;
  const base = h * 3600 + (min ?? 0) * 60 + (sec ?? 0);
  if (!isEnd) return base;
  return base + (min === undefined ? 3599 : sec === undefined ? 59 : 0);
}

export function inAnyRange(secondOfDay: number, ranges: readonly TimeRange[]): boolean {
  for (const r of ranges) {
    if (r.start <= r.end ? secondOfDay >= r.start && secondOfDay <= r.end : secondOfDay >= r.start || secondOfDay <= r.end) {
      return true;
    }
  }
  return false;
}

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Turns instants into wall-clock seconds of the day in one time zone. */
export interface ZoneClock {
  readonly timeZone: string;
  /** Offset of local wall time from UTC at an instant, in milliseconds. */
  offsetMs(ms: number): number;
  secondOfDay(ms: number): number;
}

const clocks = new Map<string, ZoneClock>();

export function zoneClock(timeZone = 'UTC'): ZoneClock {
  let c = clocks.get(timeZone);
  if (!c) {
    c = timeZone === 'UTC' ? utcClock : createZoneClock(timeZone);
    clocks.set(timeZone, c);
  }
  return c;
}

const utcClock: ZoneClock = {
  timeZone: 'UTC',
  offsetMs: () => 0,
  secondOfDay: (ms) => Math.floor((((ms % DAY_MS) + DAY_MS) % DAY_MS) / 1000),
};

function createZoneClock(timeZone: string): ZoneClock {
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  // Zone offsets change only on quarter-hour boundaries, so one Intl call per quarter hour
  // serves every event in it; Intl is far too slow to call per event.
  const byQuarter = new Map<number, number>();
  const offsetMs = (ms: number): number => {
    const q = Math.floor(ms / 900_000);
    let off = byQuarter.get(q);
    if (off === undefined) {
      const p: Record<string, number> = {};
      for (const part of fmt.formatToParts(q * 900_000)) if (part.type !== 'literal') p[part.type] = Number(part.value);
      off = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - q * 900_000;
      if (byQuarter.size > 4096) byQuarter.clear();
      byQuarter.set(q, off);
    }
    return off;
  };
  return { timeZone, offsetMs, secondOfDay: (ms) => utcClock.secondOfDay(ms + offsetMs(ms)) };
}

const CLOCK_TEXT = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * The time of day a field's value stands for: epoch milliseconds (number or digits) and
 * date-times with a zone are instants, shown on the rule's clock; "08:30:00" and date-times
 * without a zone are already wall-clock times and are taken as written. Anything else is
 * undefined, and the condition does not hold.
 */
export function secondOfDayOf(value: unknown, clock: ZoneClock): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? clock.secondOfDay(value) : undefined;
  if (typeof value !== 'string') return undefined;
  let m = CLOCK_TEXT.exec(value);
  if (m) return wallSeconds(m[1]!, m[2]!, m[3]);
  m = DATE_TIME.exec(value);
  if (m) {
    if (m[4] === undefined) return wallSeconds(m[1]!, m[2]!, m[3]);
    const ms = Date.parse(value.replace(' ', 'T'));
    return Number.isNaN(ms) ? undefined : clock.secondOfDay(ms);
  }
  if (/^\d+$/.test(value)) return clock.secondOfDay(Number(value));
  return undefined;
}

function wallSeconds(h: string, m: string, s: string | undefined): number | undefined {
  const sec = Number(h) * 3600 + Number(m) * 60 + Number(s ?? 0);
  return sec < DAY_S ? sec : undefined;
}
