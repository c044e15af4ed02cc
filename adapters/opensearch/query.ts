// Turns a search request into one `_search` body: a bool filter (time range, the target's apps
// and files, levels, trace id, keywords) sorted on (ts, tiebreak) in the requested order and
// resumed with search_after. Pure, so the shape of every query is tested without a cluster.
//
// What the query narrows is a superset of the answer wherever OpenSearch's semantics differ from
// Logfed's (case-insensitive level terms, whole-word matches on an analysed message); the adapter
// re-checks every hit in process, so only the exact parts are trusted.

import type { EventFilter, Order, Target } from '../../src/query/types.js';
import { levelSpellings } from '../_http/levels.js';
import { interiorWords } from '../_http/words.js';
import type { ResolvedFields } from './config.js';

export type SortValue = number | string;

export interface QueryOptions {
  target: Target;
  filter: EventFilter;
  order: Order;
  size: number;
  fields: ResolvedFields;
  keywordField?: string;
  tiebreak: string;
  searchAfter?: SortValue[];
}

type Clause = Record<string, unknown>;

/** Escapes a literal for a wildcard query, whose only special characters are *, ? and \. */
export function wildcardLiteral(s: string): string {
  return s.replace(/[\\*?]/g, (c) => `\\${c}`);
}

// The standard analyser (and whitespace, simple, letter, language analysers) always splits at
// whitespace, and keeps a run of ASCII letters and digits whole; such a run between spaces is a
// token of the message whatever else the analyser does to it (lower case, stems, stop words).
const WORD_RULES = { isBreak: (c: string) => /\s/.test(c), isSafe: (c: string) => /[A-Za-z0-9]/.test(c) };

export function keywordClauses(filter: EventFilter, fields: ResolvedFields, keywordField?: string): { must: Clause[]; mustNot: Clause[] } {
  const { include, exclude } = filter.keywords;
  if (keywordField) {
    const like = (kw: string): Clause => ({ wildcard: { [keywordField]: { value: `*${wildcardLiteral(kw)}*`, case_insensitive: false } } });
    return { must: include.map(like), mustNot: exclude.map(like) };
  }
  // An analysed field can only narrow: a token match is never stricter than a substring, and
  // excluding by token could drop an event the exact check keeps ("Created" is not "created").
  const words = [...new Set(include.flatMap((kw) => interiorWords(kw, WORD_RULES)))];
  return { must: words.map((w) => ({ match_phrase: { [fields.message]: { query: w, zero_terms_query: 'all' } } })), mustNot: [] };
}

export function filterClauses(o: Pick<QueryOptions, 'target' | 'filter' | 'fields' | 'keywordField'>): { filter: Clause[]; mustNot: Clause[] } {
  const { target, filter, fields } = o;
  const out: Clause[] = [{ range: { [fields.ts]: { gte: filter.from, lt: filter.to, format: 'epoch_millis' } } }];
  if (fields.env) out.push({ term: { [fields.env]: target.env } });
  if (target.apps?.length) out.push({ terms: { [fields.app]: target.apps } });
  if (target.files?.length) out.push({ terms: { [fields.file]: target.files } });
  if (filter.levels?.length) {
    const should = levelSpellings(filter.levels).map((l) => ({ term: { [fields.level]: { value: l, case_insensitive: true } } }));
    out.push({ bool: { should, minimum_should_match: 1 } });
  }
  if (filter.traceId !== undefined) out.push({ term: { [fields.traceId]: filter.traceId } });
  const kw = keywordClauses(filter, fields, o.keywordField);
  return { filter: [...out, ...kw.must], mustNot: kw.mustNot };
}

export function sortClauses(o: Pick<QueryOptions, 'order' | 'fields' | 'tiebreak'>): Clause[] {
  // numeric_type 'date' gives epoch ms for date and date_nanos fields alike, so an index
  // pattern over both sorts as one and every sort value fits a JavaScript number.
  const ts = { [o.fields.ts]: { order: o.order, unmapped_type: 'date', numeric_type: 'date' } };
  const tie = o.tiebreak === '_id' ? { _id: { order: o.order } } : { [o.tiebreak]: { order: o.order, unmapped_type: 'keyword' } };
  return [ts, tie];
}

/** The fields a hit's _source must carry; a `.keyword` sub-field is read from its parent. */
export function sourceFields(fields: ResolvedFields): string[] {
  return [...new Set(Object.entries(fields).filter(([k]) => k !== 'ts').map(([, v]) => v.replace(/\.keyword$/, '')))];
}

export function searchBody(o: QueryOptions): Record<string, unknown> {
  const { filter, mustNot } = filterClauses(o);
  return {
    size: o.size,
    track_total_hits: false,
    _source: sourceFields(o.fields),
    sort: sortClauses(o),
    query: { bool: { filter, ...(mustNot.length ? { must_not: mustNot } : {}) } },
    ...(o.searchAfter ? { search_after: o.searchAfter } : {}),
  };
}

export function boundsBody(fields: ResolvedFields, env: string): Record<string, unknown> {
  return {
    size: 0,
    track_total_hits: false,
    ...(fields.env ? { query: { term: { [fields.env]: env } } } : {}),
    aggs: { min_ts: { min: { field: fields.ts } }, max_ts: { max: { field: fields.ts } } },
  };
}
