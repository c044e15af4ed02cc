// Line formats of file logs: logback (the default layout of the domains Logfed serves), JSON lines
// and a named-group regex. The scanner asks a format two cheap questions on raw bytes (does this
// line start an event, what is its timestamp) and parses only the events that survive prefilters.

import { normaliseLevel } from '../../src/core/event.js';
import { compileTsFormat, DEFAULT_TS_FORMAT, tsFromValue, type TsParser } from './timestamp.js';

export interface ParsedRecord {
  ts: number;
  level?: string;
  traceId?: string;
  message: string;
  host?: string;
  fields?: Record<string, unknown>;
}

export interface EventFormat {
  /** Does the line at buf[start] (the block ends at `end`) start a new event? Runs on many lines. */
  isStart(buf: Buffer, start: number, end: number): boolean;
  /** Timestamp of the event whose first line starts at buf[start]. */
  headTs(buf: Buffer, start: number, end: number): number | undefined;
  /** True when headTs is cheap enough to call before deciding to parse an event. */
  readonly cheapTs: boolean;
  /** Parses an event: its first line, then any continuation lines joined by \n. */
  parse(text: string): ParsedRecord | undefined;
  /** True when a term occurring in a message must occur byte for byte in the raw event. */
  rawSafe(term: string): boolean;
}

export type FormatSpec = 'logback' | 'json' | { regex: string };

export function createFormat(spec: FormatSpec, tsFormat: string | undefined, timezone: string): EventFormat {
  if (spec === 'json') return jsonFormat(compileTsFormat(tsFormat ?? 'iso8601', timezone), compileTsFormat('iso8601', timezone));
  const ts = compileTsFormat(tsFormat ?? DEFAULT_TS_FORMAT, timezone);
  if (spec === 'logback') return logbackFormat(ts);
  return regexFormat(spec.regex, ts);
}

const NL = 10;
// Text formats keep message bytes verbatim; only CR/LF differ between raw lines and joined text.
const textRawSafe = (term: string) => !/[\r\n\uFFFD]/.test(term);

function lineEnd(buf: Buffer, start: number, end: number): number {
  const i = buf.indexOf(NL, start);
  return i < 0 || i > end ? end : i;
}

function splitFirstLine(text: string): [string, string | undefined] {
  const i = text.indexOf('\n');
  const first = i < 0 ? text : text.slice(0, i);
  return [first.endsWith('\r') ? first.slice(0, -1) : first, i < 0 ? undefined : text.slice(i + 1)];
}

function joinRest(message: string, rest: string | undefined): string {
  if (rest === undefined) return message;
  return `${message}\n${rest.includes('\r') ? rest.replace(/\r\n/g, '\n') : rest}`;
}

const LOGBACK =
  /^(?<ts>.+?)\s+(?<level>[A-Za-z]+)\s+(?:(?<pid>\d+)\s+)?---\s+\[(?<thread>.*?)\]\s+\[(?<traceId>[^\]]*)\]\s+(?<logger>\S+?)(?:-(?<line>\d+|\?))?\s+:(?: (?<message>.*))?$/;

/** `%d{yyyy-MM-dd HH:mm:ss.SSS} %5p %PID --- [%t] [%X{traceId}] %logger-%L : %m%n` */
export function logbackFormat(ts: TsParser): EventFormat {
  return {
    cheapTs: true,
    isStart: (buf, start, end) => ts.test(buf, start, end),
    headTs: (buf, start, end) => ts.bytes(buf, start, end),
    rawSafe: textRawSafe,
    parse(text) {
      const [first, rest] = splitFirstLine(text);
      const m = LOGBACK.exec(first);
      const g = m?.groups;
      const at = g ? ts.string(g.ts!) : undefined;
      if (!g || at === undefined) return looseLine(first, rest, ts);
      const fields: Record<string, unknown> = { thread: g.thread, logger: g.logger };
      if (g.pid) fields.pid = g.pid;
      if (g.line) fields.line = g.line;
      return {
        ts: at,
        level: normaliseLevel(g.level),
        traceId: g.traceId || undefined,
        message: joinRest(g.message ?? '', rest),
        fields,
      };
    },
  };
}

// A line that starts with a timestamp but not with the full layout still is an event: keep its
// text so nothing that was logged disappears from search.
function looseLine(first: string, rest: string | undefined, ts: TsParser): ParsedRecord | undefined {
  const at = ts.string(first);
  if (at === undefined) return undefined;
  const m = /^\S+(?:[ T]\d\S*)?\s+(?:(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL)\s+)?(.*)$/.exec(first);
  return { ts: at, level: normaliseLevel(m?.[1]), message: joinRest(m ? m[2]! : first, rest) };
}

const JSON_TS = ['ts', 'timestamp', '@timestamp', 'time'];
const JSON_LEVEL = ['level', 'severity'];
const JSON_MESSAGE = ['message', 'msg'];
const JSON_TRACE = ['traceId', 'trace_id'];
const JSON_HOST = ['host', 'hostname'];
const JSON_KNOWN = new Set([...JSON_TS, ...JSON_LEVEL, ...JSON_MESSAGE, ...JSON_TRACE, ...JSON_HOST]);

function pick(obj: Record<string, unknown>, keys: string[]): unknown {
  for (const k of keys) if (obj[k] !== undefined && obj[k] !== null) return obj[k];
  return undefined;
}

const asText = (v: unknown): string | undefined => (v === undefined ? undefined : typeof v === 'string' ? v : JSON.stringify(v));

/** One JSON object per line; a line that is not an object continues the previous event's message. */
export function jsonFormat(ts: TsParser, iso: TsParser): EventFormat {
  const readObject = (line: string): Record<string, unknown> | undefined => {
    try {
      const v: unknown = JSON.parse(line);
      return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    cheapTs: false,
    isStart: (buf, start) => buf[start] === 0x7b,
    headTs(buf, start, end) {
      const obj = readObject(buf.toString('utf8', start, lineEnd(buf, start, end)));
      return obj ? tsFromValue(pick(obj, JSON_TS), ts, iso) : undefined;
    },
    // JSON writers may escape quotes, slashes, control and non-ASCII characters.
    rawSafe: (term) => /^[\x20-\x7e]*$/.test(term) && !/["\\/]/.test(term),
    parse(text) {
      const [first, rest] = splitFirstLine(text);
      const obj = readObject(first);
      if (!obj) return undefined;
      const at = tsFromValue(pick(obj, JSON_TS), ts, iso);
      if (at === undefined) return undefined;
      const fields: Record<string, unknown> = {};
      let any = false;
      for (const [k, v] of Object.entries(obj)) {
        if (!JSON_KNOWN.has(k)) {
          fields[k] = v;
          any = true;
        }
      }
      return {
        ts: at,
        level: normaliseLevel(asText(pick(obj, JSON_LEVEL))),
        traceId: asText(pick(obj, JSON_TRACE)) || undefined,
        host: asText(pick(obj, JSON_HOST)),
        message: joinRest(asText(pick(obj, JSON_MESSAGE)) ?? '', rest),
        fields: any ? fields : undefined,
      };
    },
  };
}

const REGEX_KNOWN = new Set(['ts', 'level', 'traceId', 'message', 'host']);

/**
 * A regex with named groups (ts required; level, thread, traceId, logger, message, host; any other
 * group becomes a field) matched against the first line of each event. Throws on a bad regex.
 */
export function regexFormat(source: string, ts: TsParser): EventFormat {
  const re = new RegExp(source);
  const names = Object.keys(new RegExp(`${source}|`).exec('')?.groups ?? {});
  if (!names.includes('ts')) throw new Error(`regex ${JSON.stringify(source)} has no named group "ts"`);
  const header = (line: string) => {
    const g = re.exec(line)?.groups;
    const at = g?.ts === undefined ? undefined : ts.string(g.ts);
    return at === undefined ? undefined : { g: g!, at };
  };
  return {
    cheapTs: false,
    isStart: (buf, start, end) => header(buf.toString('utf8', start, lineEnd(buf, start, end))) !== undefined,
    headTs: (buf, start, end) => header(buf.toString('utf8', start, lineEnd(buf, start, end)))?.at,
    rawSafe: textRawSafe,
    parse(text) {
      const [first, rest] = splitFirstLine(text);
      const h = header(first);
      if (!h) return undefined;
      const fields: Record<string, unknown> = {};
      let any = false;
      for (const [k, v] of Object.entries(h.g)) {
        if (!REGEX_KNOWN.has(k) && v !== undefined) {
          fields[k] = v;
          any = true;
        }
      }
      return {
        ts: h.at,
        level: normaliseLevel(h.g.level),
        traceId: h.g.traceId || undefined,
        host: h.g.host || undefined,
        message: joinRest(h.g.message ?? first, rest),
        fields: any ? fields : undefined,
      };
    },
  };
}
