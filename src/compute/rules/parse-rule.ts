// A parse rule turns the text of one data type into events: which parser (named-group regex,
// delimiter split, JSON, the built-in logback layout, or one a plugin provides), which extracted fields fill the event's
// slots, the time zone of zone-less timestamps, defaults, and how continuation lines are joined.

import { RE2JS } from 're2js';
import { z } from 'zod';
import { fieldPath, refineUnique, ruleBase, ruleId, timeZone } from './common.js';

export const MAX_PATTERN_LENGTH = 8192;

const regexParser = z.object({ type: z.literal('regex'), pattern: z.string().min(1).max(MAX_PATTERN_LENGTH) }).strict();

const delimiterParser = z
  .object({
    type: z.literal('delimiter'),
    delimiter: z.string().min(1).max(16),
    /** Column names in order; `-` skips a column. */
    fields: z.array(z.union([fieldPath, z.literal('-')])).min(1).max(256),
    /** Inside quotes the delimiter is text; a doubled quote is a literal quote (CSV style). */
    quote: z.string().length(1).optional(),
    trim: z.boolean().default(false),
    /** More columns than names: the last name takes the rest of the line, or they are dropped, or the record is rejected. */
    onExtra: z.enum(['rest', 'drop', 'reject']).default('rest'),
    /** Fewer columns than names: reject the record, or leave the missing fields out. */
    onMissing: z.enum(['reject', 'omit']).default('reject'),
  })
  .strict();

const jsonParser = z.object({ type: z.literal('json') }).strict();
const logbackParser = z.object({ type: z.literal('logback') }).strict();
/** A parser a domain plugin provides under this name (`definePlugin({ parsers })`). */
const pluginParser = z.object({ type: z.literal('plugin'), name: z.string().min(1).max(128) }).strict();

export const parserSchema = z.discriminatedUnion('type', [regexParser, delimiterParser, jsonParser, logbackParser, pluginParser]);

const slotMap = z
  .object({
    ts: fieldPath.optional(),
    level: fieldPath.optional(),
    traceId: fieldPath.optional(),
    host: fieldPath.optional(),
    message: fieldPath.optional(),
    domain: fieldPath.optional(),
    env: fieldPath.optional(),
    app: fieldPath.optional(),
    file: fieldPath.optional(),
  })
  .strict();

const defaults = z
  .object({
    domain: z.string().max(256).optional(),
    env: z.string().max(256).optional(),
    app: z.string().max(256).optional(),
    file: z.string().max(1024).optional(),
  })
  .strict();

export const multilineSchema = z
  .object({
    /** A line matching this (RE2 syntax) starts a new event; others continue the current one. Logback has a built-in start. */
    start: z.string().min(1).max(1024).optional(),
    maxLines: z.number().int().min(1).max(100_000).default(500),
    maxBytes: z.number().int().min(1024).max(16 * 1024 * 1024).default(1024 * 1024),
    maxAgeMs: z.number().int().min(1).max(600_000).default(5000),
  })
  .strict();

export const parseRule = z
  .object({
    ...ruleBase,
    kind: z.literal('parse'),
    dataType: ruleId,
    parser: parserSchema,
    /** Which extracted field fills each event slot; unset slots try common names (time, level, msg...). */
    map: slotMap.default({}),
    time: z.object({ timeZone: timeZone.default('UTC') }).strict().default({}),
    defaults: defaults.default({}),
    multiline: multilineSchema.optional(),
  })
  .strict();

export type ParseRule = z.output<typeof parseRule>;
export type ParserSpec = z.output<typeof parserSchema>;
export type MultilineSpec = z.output<typeof multilineSchema>;

/** Compiles a user regex on RE2 (linear time) and returns its named groups, or a reason. */
export function compileNamedRegex(pattern: string): { re: RE2JS; groups: string[] } | { error: string } {
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (err) {
    return { error: `not a valid RE2 pattern: ${(err as Error).message} (no backreferences or lookaround)` };
  }
  return { re, groups: Object.keys(re.namedGroups()) };
}

export function refineParse(rule: ParseRule, ctx: z.RefinementCtx): void {
  const p = rule.parser;
  if (p.type === 'regex') {
    const compiled = compileNamedRegex(p.pattern);
    if ('error' in compiled) ctx.addIssue({ code: 'custom', path: ['parser', 'pattern'], message: compiled.error, params: { echo: false } });
    else if (compiled.groups.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['parser', 'pattern'], message: 'expected at least one named group such as (?P<level>\\w+)', params: { echo: false } });
    }
  }
  if (p.type === 'delimiter') refineUnique(p.fields.map((f, i) => (f === '-' ? `\0${i}` : f)), ctx, ['parser', 'fields'], 'field');
  const ml = rule.multiline;
  if (ml?.start !== undefined) {
    const compiled = compileNamedRegex(ml.start);
    if ('error' in compiled) ctx.addIssue({ code: 'custom', path: ['multiline', 'start'], message: compiled.error, params: { echo: false } });
  } else if (ml && p.type !== 'logback') {
    ctx.addIssue({ code: 'custom', path: ['multiline', 'start'], message: `is required for parser type ${p.type} (only logback has a built-in start)`, params: { echo: false } });
  }
  if (ml && p.type === 'json') {
    ctx.addIssue({ code: 'custom', path: ['multiline'], message: 'does not apply to JSON records', params: { echo: false } });
  }
}
