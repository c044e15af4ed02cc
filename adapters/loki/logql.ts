// Builds the LogQL of a search: the logstore's selector narrowed by the target's apps and files
// and the filter's levels (label matchers), then line filters for keywords and the regex, and a
// label filter for the trace id. Line filters are case-sensitive substrings, as Logfed's
// keywords are, so they are exact; strings are quoted so that no keyword can change the query.

import type { EventFilter, Target } from '../../src/query/types.js';
import { levelSpellings } from '../_http/levels.js';
import type { ParsedLokiLocation } from './config.js';

/** A LogQL double-quoted string (Go syntax): backslash, quote and control characters escaped. */
export function logqlString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** RE2's QuoteMeta: the literal text as a regex. */
export function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, (c) => `\\${c}`);
}

const anyOf = (values: readonly string[]) => values.map(quoteMeta).join('|');

export function selectorFor(loc: ParsedLokiLocation, target: Target, filter: Pick<EventFilter, 'levels'>): string {
  const extra: string[] = [];
  const { app, file, level } = loc.labels;
  if (app && target.apps?.length) extra.push(`${app}=~${logqlString(anyOf(target.apps))}`);
  if (file && target.files?.length) extra.push(`${file}=~${logqlString(anyOf(target.files))}`);
  // Matchers are anchored; (?i) lets "error" and "Error" streams match ERROR.
  if (level && filter.levels?.length) extra.push(`${level}=~${logqlString(`(?i)${anyOf(levelSpellings(filter.levels))}`)}`);
  if (!extra.length) return loc.selector;
  const body = loc.selector.slice(1, -1).trim().replace(/,\s*$/, '');
  return `{${[body, ...extra].filter(Boolean).join(', ')}}`;
}

/** The full query: selector, then line filters (cheapest first), then the trace id label filter. */
export function buildQuery(loc: ParsedLokiLocation, target: Target, filter: EventFilter): string {
  const parts = [selectorFor(loc, target, filter)];
  for (const kw of filter.keywords.include) parts.push(`|= ${logqlString(kw)}`);
  for (const kw of filter.keywords.exclude) parts.push(`!= ${logqlString(kw)}`);
  if (filter.regex) parts.push(`|~ ${logqlString(filter.regex)}`);
  if (filter.traceId !== undefined && loc.labels.traceId) parts.push(`| ${loc.labels.traceId}=${logqlString(filter.traceId)}`);
  return parts.join(' ');
}
