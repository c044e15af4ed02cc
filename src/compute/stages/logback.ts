// The built-in parser for the Spring Boot logback layout
//   %d{yyyy-MM-dd HH:mm:ss.SSS} %5p %PID --- [%t] [%X{traceId}] %logger-%L : %m%n
// written by hand (index scans, no regex) because it is the hottest parser of the ingest path.

import { reject, type Rejected } from './types.js';
import { wallMs, wallToUtc, type Zone } from './time.js';

export interface LogbackLine {
  ts: number;
  level: string;
  pid?: number;
  thread: string;
  traceId?: string;
  logger: string;
  line?: number;
  message: string;
}

const D0 = 48;
const isDigit = (c: number) => c >= D0 && c <= D0 + 9;

function digits(s: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const c = s.charCodeAt(i);
    if (!isDigit(c)) return -1;
    n = n * 10 + (c - D0);
  }
  return n;
}

/** True when a line starts with the layout's timestamp: the start of a new event for multi-line joining. */
export function startsLogbackEvent(line: string): boolean {
  return (
    line.length >= 23 &&
    line.charCodeAt(4) === 45 && line.charCodeAt(7) === 45 && line.charCodeAt(10) === 32 &&
    line.charCodeAt(13) === 58 && line.charCodeAt(16) === 58 && line.charCodeAt(19) === 46 &&
    isDigit(line.charCodeAt(0)) && isDigit(line.charCodeAt(22))
  );
}

/** Reads `yyyy-MM-dd HH:mm:ss.SSS` at the start of a line as wall-clock time in `zone`. */
export function readLogbackTime(s: string, zone: Zone): number {
  if (!startsLogbackEvent(s)) return NaN;
  const wall = wallMs(digits(s, 0, 4), digits(s, 5, 2), digits(s, 8, 2), digits(s, 11, 2), digits(s, 14, 2), digits(s, 17, 2), digits(s, 20, 3));
  return Number.isNaN(wall) ? NaN : wallToUtc(wall, zone);
}

const fail = (what: string, col: number) => reject(`logback: expected ${what} at column ${col + 1}`, 'noMatch');

/**
 * Parses the first line of an event; lines after the first (a stack trace) are appended to the
 * message as they are.
 */
export function parseLogback(text: string, zone: Zone): LogbackLine | Rejected {
  const nl = text.indexOf('\n');
  const line = nl === -1 ? text : text.slice(0, nl);
  const ts = readLogbackTime(line, zone);
  if (Number.isNaN(ts)) return fail('a timestamp yyyy-MM-dd HH:mm:ss.SSS', 0);
  let p = 23;
  if (line.charCodeAt(p) !== 32) return fail('a space after the timestamp', p);
  while (line.charCodeAt(p) === 32) p++;
  const levelStart = p;
  while (p < line.length && line.charCodeAt(p) !== 32) p++;
  if (p === levelStart) return fail('a level', levelStart);
  const level = line.slice(levelStart, p);
  while (line.charCodeAt(p) === 32) p++;
  const pidStart = p;
  while (isDigit(line.charCodeAt(p))) p++;
  const pid = p > pidStart ? Number(line.slice(pidStart, p)) : undefined;
  while (line.charCodeAt(p) === 32) p++;
  if (!line.startsWith('--- [', p)) return fail('"--- [" after the pid', p);
  p += 5;
  const threadEnd = line.indexOf('] [', p);
  if (threadEnd === -1) return fail('"] [" after the thread name', p);
  const thread = line.slice(p, threadEnd);
  p = threadEnd + 3;
  const traceEnd = line.indexOf('] ', p);
  if (traceEnd === -1) return fail('"] " after the trace id', p);
  const traceId = traceEnd > p ? line.slice(p, traceEnd) : undefined;
  p = traceEnd + 2;
  const sep = line.indexOf(' : ', p);
  if (sep === -1) return fail('" : " after the logger', p);
  const loggerLine = line.slice(p, sep);
  const dash = loggerLine.lastIndexOf('-');
  let logger = loggerLine;
  let lineNo: number | undefined;
  if (dash > 0) {
    const tail = loggerLine.slice(dash + 1);
    if (tail === '?' || (tail.length > 0 && tail.length < 10 && digits(tail, 0, tail.length) >= 0)) {
      logger = loggerLine.slice(0, dash);
      lineNo = tail === '?' ? undefined : Number(tail);
    }
  }
  const message = nl === -1 ? line.slice(sep + 3) : line.slice(sep + 3) + text.slice(nl);
  return { ts, level, pid, thread, traceId, logger, line: lineNo, message };
}
