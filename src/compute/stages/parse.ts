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
  /** The record as identification saw it: its JSON body is parsed once and shared. */
  body?: { json(): Record<string, unknown> | Rejected };
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

/**
 * Slot -> the extracted field it is read from; `used` are those names, so they are not copied
 * into fields too, and `keep` lists the other names when they are known before any record.
 */
type Plan = Partial<Record<SlotName, string>> & { used: Set<string>; keep?: string[] };

/** Resolves slot sources once per rule when the extracted names are known (regex, delimiter, logback). */
function plan(rule: ParseRule, has: (name: string) => boolean, known?: readonly string[]): Plan {
  const p: Plan = { used: new Set() };
  for (const slot of SLOT_NAMES) {
    const name = rule.map[slot] ?? COMMON[slot].find(has);
    if (name === undefined) continue;
    p[slot] = name;
    p.used.add(name);
  }
  if (known) p.keep = known.filter((name) => !p.used.has(name));
  return p;
}

const levels = new Map<string, string | undefined>();

/** Level spellings repeat endlessly, so each is normalised once. */
function level(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let out = levels.get(raw);
  if (out === undefined && !levels.has(raw)) {
    out = normaliseLevel(raw);
    if (levels.size < 1000) levels.set(raw, out);
  }
  return out;
}

function sourceSlot(obj: Record<string, unknown>, p: Plan, slot: (typeof SOURCE_SLOTS)[number], ctx: ParseContext, rule: ParseRule): string {
  const name = p[slot];
  return (name !== undefined ? text(readPath(obj, name)) : undefined) ?? headerText(ctx.headers, slot) ?? rule.defaults[slot] ?? '';
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
  if (p.keep) {
    for (const key of p.keep) if (obj[key] !== undefined) fields[key] = obj[key];
  } else for (const key in obj) if (!p.used.has(key) && obj[key] !== undefined) fields[key] = obj[key];
  if (ctx.truncated) fields[META.truncated] = true;
  const event: LogEvent = {
    ts,
    domain: sourceSlot(obj, p, 'domain', ctx, rule),
    env: sourceSlot(obj, p, 'env', ctx, rule),
    app: sourceSlot(obj, p, 'app', ctx, rule),
    file: sourceSlot(obj, p, 'file', ctx, rule),
    message: (p.message !== undefined ? text(readPath(obj, p.message)) : undefined) ?? raw,
    fields,
  };
  const host = p.host !== undefined ? text(readPath(obj, p.host)) : headerText(ctx.headers, 'host');
  if (host !== undefined) event.host = host;
  const lvl = p.level !== undefined ? level(text(readPath(obj, p.level))) : undefined;
  if (lvl !== undefined) event.level = lvl;
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

/** Parsers plugins provide, by name: text in, fields out (undefined when the text is not theirs). */
export type NamedParsers = ReadonlyMap<string, (text: string) => Record<string, unknown> | undefined>;

function extractor(rule: ParseRule, named: NamedParsers): { extract: Extract; known: readonly string[] | undefined } {
  const p = rule.parser;
  switch (p.type) {
    case 'plugin': {
      const fn = named.get(p.name);
      if (!fn) throw new Error(`parser "${p.name}" is not provided by any loaded plugin${named.size ? ` (loaded: ${[...named.keys()].join(', ')})` : ''}`);
      const messageName = rule.map.message ?? 'message';
      const extract: Extract = (s) => {
        const [head, tail] = firstLine(s);
        let obj: Record<string, unknown> | undefined;
        try {
          obj = fn(head);
        } catch (err) {
          return reject(`plugin parser ${p.name} failed: ${(err as Error).message}`, 'noMatch');
        }
        if (!obj) return reject(`plugin parser ${p.name} did not recognise the line`, 'noMatch');
        return withTail({ ...obj }, messageName, tail);
      };
      return { extract, known: undefined };
    }
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
      return { extract: (s, ctx) => (ctx.body ? ctx.body.json() : decodeJsonObject(s)), known: undefined };
  }
}

/** Compiles a parse rule; the returned function never throws on bad input, it rejects. */
export function compileParser(rule: ParseRule, named: NamedParsers = new Map()): ParseFn {
  const zone = resolveTimeZone(rule.time.timeZone) ?? UTC;
  const { extract, known } = extractor(rule, named);
  const base = known === undefined ? undefined : plan(rule, (name) => known.includes(name), known);
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
