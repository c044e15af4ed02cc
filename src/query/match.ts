// The one definition of "an event matches a filter", used by adapters that filter in process
// and by the gateway for whatever a backend could not push down. Keywords match case-sensitively,
// as grep -F and LogQL line filters do.

import type { LogEvent } from '../core/event.js';
import { RE2JS } from 're2js';
import { badInput } from '../errors/index.js';
import type { EventFilter, KeywordQuery } from './types.js';

export const MAX_KEYWORDS = 32;
export const MAX_KEYWORD_LENGTH = 512;
export const MAX_REGEX_LENGTH = 1024;

/**
 * Parses `a b "exact phrase" -noise -"not this"` into terms that must all occur and terms that
 * must not. An unbalanced quote runs to the end of the input.
 */
export function parseKeywords(input: string | null | undefined): KeywordQuery {
  const include: string[] = [];
  const exclude: string[] = [];
  if (!input) return { include, exclude };
  let i = 0;
  const n = input.length;
  while (i < n) {
    while (i < n && /\s/.test(input[i]!)) i++;
    if (i >= n) break;
    let negate = false;
    if (input[i] === '-' && i + 1 < n && !/\s/.test(input[i + 1]!)) {
      negate = true;
      i++;
    }
    let term: string;
    if (input[i] === '"') {
      const end = input.indexOf('"', i + 1);
      term = end < 0 ? input.slice(i + 1) : input.slice(i + 1, end);
      i = end < 0 ? n : end + 1;
    } else {
      const start = i;
      while (i < n && !/\s/.test(input[i]!)) i++;
      term = input.slice(start, i);
    }
    if (term.length === 0) continue;
    if (term.length > MAX_KEYWORD_LENGTH) {
      throw badInput(`keyword "${term.slice(0, 40)}…" is ${term.length} characters long; the limit is ${MAX_KEYWORD_LENGTH}`);
    }
    (negate ? exclude : include).push(term);
  }
  if (include.length + exclude.length > MAX_KEYWORDS) {
    throw badInput(`keywords has ${include.length + exclude.length} terms; the limit is ${MAX_KEYWORDS}`);
  }
  return { include, exclude };
}

export function matchesKeywords(message: string, kw: KeywordQuery): boolean {
  for (const t of kw.include) if (!message.includes(t)) return false;
  for (const t of kw.exclude) if (message.includes(t)) return false;
  return true;
}

export interface CompiledFilter {
  (event: LogEvent): boolean;
}

/**
 * Compiles the parts of a filter to check in process. `skip` names the parts a backend already
 * applied. Time is always checked: it is cheap and protects against backends with coarse ranges.
 */
export function compileFilter(
  filter: EventFilter,
  skip: { keywords?: boolean; levels?: boolean; traceId?: boolean; regex?: boolean } = {},
  regexEngine: (source: string) => (text: string) => boolean = defaultRegex,
): CompiledFilter {
  const { from, to } = filter;
  const kw = !skip.keywords && (filter.keywords.include.length || filter.keywords.exclude.length) ? filter.keywords : undefined;
  const levels = !skip.levels && filter.levels?.length ? new Set(filter.levels.map((l) => l.toUpperCase())) : undefined;
  const traceId = !skip.traceId ? filter.traceId : undefined;
  const re = !skip.regex && filter.regex ? regexEngine(filter.regex) : undefined;
  return (e) => {
    if (e.ts < from || e.ts >= to) return false;
    if (levels && !levels.has((e.level ?? '').toUpperCase())) return false;
    if (traceId !== undefined && e.traceId !== traceId) return false;
    if (kw && !matchesKeywords(e.message, kw)) return false;
    if (re && !re(e.message)) return false;
    return true;
  };
}

/**
 * Compiles a user regex on a linear-time engine (RE2 semantics): no backtracking, so no input
 * can make it run away. Features RE2 lacks (backreferences, lookaround) are refused by name.
 */
export function compileUserRegex(source: string): (text: string) => boolean {
  if (source.length > MAX_REGEX_LENGTH) {
    throw badInput(`regex is ${source.length} characters long; the limit is ${MAX_REGEX_LENGTH}`);
  }
  let re: RE2JS;
  try {
    re = RE2JS.compile(source);
  } catch (err) {
    throw badInput(`regex ${JSON.stringify(source)} is not valid: ${(err as Error).message} (RE2 syntax: no backreferences or lookaround)`);
  }
  return (text) => re.matcher(text).find();
}

const defaultRegex = compileUserRegex;
