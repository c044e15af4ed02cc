// Third stage: turns the text of one identified record (or joined multi-line event) into a
// LogEvent with the parser its parse rule names, fills the event's slots from the extracted
// fields (mapping, then common names, then record headers and rule defaults) and keeps the rest.

import { normaliseLevel, type LogEvent } from '../../core/event.js';
import { compileNamedRegex, type ParseRule } from '../rules/index.js';
import { decodeJsonObject } from './decode.js';
import { splitDelimited } from './delimiter.js';
import { parseLogback } from './logback.js';
import { resolveTimeZone, toEpochMs, UTC, type Zone } from './time.js';
import { headerText, isRejected, META, readPath, reject, type RawRecord, type Rejected } from './types.js';

export interface ParseContext {
  /** Receive time, used as the event time when the rule maps no timestamp. */
  now: number;
  headers?: RawRecord['headers'];
  truncated?: boolean;
  /** The JSON body, when identification already parsed it. */
  json?: () => Record<string, unknown> | Rejected;
}

export type ParseFn = (text: string, ctx: ParseContext) => LogEvent | Rejected;

type Extract = (text: string, ctx: ParseContext) => Record<string, unknown> | Rejected;

type SlotName = 'ts' | 'level' | 'traceId' | 'host' | 'message' | 'domain' | 'env' | 'app' | 'file';

/** Names tried, in order, for a slot the rule does not map. */
const COMMON: Record<SlotName, string[]> = {
  ts: ['ts', 'time', 'timestamp', '@timestamp', 'datetime'],
  level: ['level', 'lvl', 'severity', 'loglevel'],
  traceId: ['traceId', 'trace_id', 'traceid', 'tid'],
  host: ['host', 'hostname', 'ip'],
  message: ['message', 'msg', 'content', 'log'],
  domain: ['domain'],
  env: ['env'],
  app: ['app'],
  file: ['file'],
};
const SLOT_NAMES = Object.keys(COMMON) as SlotName[];
const SOURCE_SLOTS = ['domain', 'env', 'app', 'file'] as const;

/** Slot -> the extracted field it is read from, plus the names used so they are not copied into fields too. */
type Plan = Partial<Record<SlotName, string>> & { used: Set<string> };

/** Resolves slot sources once per rule when the extracted names are known (regex, delimiter, logback). */
function plan(rule: ParseRule, has: ((name: string) => boolean) | undefined): Plan {
  const p: Plan = { used: new Set() };
  for (const slot of SLOT_NAMES) {
    const name = rule.map[slot] ?? (has ? COMMON[slot].find(has) : undefined);
    if (name === undefined) continue;
    p[slot] = name;
    p.used.add(name);
  }
  return p;
}

const text = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v));

function build(obj: Record<string, unknown>, p: Plan, rule: ParseRule, zone: Zone, raw: string, ctx: ParseContext, typeId: string): LogEvent | Rejected {
  let ts = ctx.now;
  if (p.ts !== undefined) {
    const rawTs = readPath(obj, p.ts);
    if (rawTs === undefined || rawTs === null || rawTs === '') return reject(`field ${p.ts}: no timestamp`, 'badTime');
    const ms = toEpochMs(rawTs, zone);
    if (ms === undefined) return reject(`field ${p.ts}: cannot read ${JSON.stringify(String(rawTs)).slice(0, 80)} as a time`, 'badTime');
    ts = ms;
  }
  const fields: Record<string, unknown> = { [META.type]: typeId };
  for (const key in obj) if (!p.used.has(key) && obj[key] !== undefined) fields[key] = obj[key];
  if (ctx.truncated) fields[META.truncated] = true;
  const source = (slot: (typeof SOURCE_SLOTS)[number]): string =>
    text(p[slot] !== undefined ? readPath(obj, p[slot]) : undefined) ?? headerText(ctx.headers, slot) ?? rule.defaults[slot] ?? '';
  const event: LogEvent = {
    ts,
    domain: source('domain'),
    env: source('env'),
    app: source('app'),
    file: source('file'),
    message: (p.message !== undefined ? text(readPath(obj, p.message)) : undefined) ?? raw,
    fields,
  };
  const host = p.host !== undefined ? text(readPath(obj, p.host)) : headerText(ctx.headers, 'host');
  if (host !== undefined) event.host = host;
  const level = p.level !== undefined ? normaliseLevel(text(readPath(obj, p.level))) : undefined;
  if (level !== undefined) event.level = level;
  const traceId = p.traceId !== undefined ? text(readPath(obj, p.traceId)) : undefined;
  if (traceId !== undefined && traceId !== '') event.traceId = traceId;
  return event;
}

/** Splits off continuation lines, which line parsers append to the message untouched. */
function firstLine(s: string): [string, string] {
  const nl = s.indexOf('\n');
  return nl === -1 ? [s, ''] : [s.slice(0, nl), s.slice(nl)];
}

function withTail(obj: Record<string, unknown>, messageName: string | undefined, tail: string): Record<string, unknown> {
  if (tail !== '' && messageName !== undefined && typeof obj[messageName] === 'string') obj[messageName] += tail;
  return obj;
}

function extractor(rule: ParseRule): { extract: Extract; known: readonly string[] | undefined } {
  const p = rule.parser;
  switch (p.type) {
    case 'logback': {
      const zone = resolveTimeZone(rule.time.timeZone) ?? UTC;
      const extract: Extract = (s) => {
        const r = parseLogback(s, zone);
        return isRejected(r) ? r : (r as unknown as Record<string, unknown>);
      };
      return { extract, known: ['ts', 'level', 'pid', 'thread', 'traceId', 'logger', 'line', 'message'] };
    }
    case 'regex': {
      const compiled = compileNamedRegex(p.pattern);
      if ('error' in compiled) throw new Error(compiled.error);
      const { re, groups } = compiled;
      const messageName = rule.map.message ?? COMMON.message.find((n) => groups.includes(n));
      const extract: Extract = (s) => {
        const [head, tail] = firstLine(s);
        const m = re.matcher(head);
        if (!m.find()) return reject('regex: the pattern did not match', 'noMatch');
        const obj: Record<string, unknown> = {};
        for (const g of groups) {
          const v = m.group(g);
          if (v !== null) obj[g] = v;
        }
        return withTail(obj, messageName, tail);
      };
      return { extract, known: groups };
    }
    case 'delimiter': {
      const names = p.fields;
      const messageName = rule.map.message ?? COMMON.message.find((n) => names.includes(n));
      const extract: Extract = (s) => {
        const [head, tail] = firstLine(s);
        const cols = splitDelimited(head, p);
        if (isRejected(cols)) return cols;
        const obj: Record<string, unknown> = {};
        for (let i = 0; i < cols.length; i++) if (names[i] !== '-') obj[names[i]!] = cols[i];
        return withTail(obj, messageName, tail);
      };
      return { extract, known: names.filter((n) => n !== '-') };
    }
    case 'json':
      return { extract: (s, ctx) => (ctx.json ? ctx.json() : decodeJsonObject(s)), known: undefined };
  }
}

/** Compiles a parse rule; the returned function never throws on bad input, it rejects. */
export function compileParser(rule: ParseRule): ParseFn {
  const zone = resolveTimeZone(rule.time.timeZone) ?? UTC;
  const { extract, known } = extractor(rule);
  const base = known === undefined ? undefined : plan(rule, (name) => known.includes(name));
  const typeId = rule.dataType;
  return (s, ctx) => {
    const obj = extract(s, ctx);
    if (isRejected(obj)) {
      return ctx.truncated ? reject(`${obj.rejected} (the record was cut at the size limit)`, obj.code) : obj;
    }
    // JSON bodies name their fields per record, so their plan is made per record.
    return build(obj, base ?? plan(rule, (name) => obj[name] !== undefined), rule, zone, s, ctx, typeId);
  };
}
