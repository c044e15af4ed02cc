// Builds the SLS search statement of a request: whole tokens of the include keywords for the
// full-text index, and field queries for levels, apps, files and the trace id. SLS matches
// tokens case-insensitively, so every part only narrows; excluded keywords and the regex are
// left to the exact in-process check, since excluding by token could drop an event it keeps.

import type { EventFilter, Target } from '../../src/query/types.js';
import { levelSpellings } from '../_http/levels.js';
import { interiorWords } from '../_http/words.js';
import type { SlsConfig, SlsFields } from './config.js';

/** Characters that mean something inside a term (fuzzy * and ?, quotes, escapes) are never sent. */
const UNSAFE = /[*?"\\\u0000-\u001f\u007f]/;

/** A value SLS would keep as one token, so that a field query on it cannot miss. */
function oneToken(value: string, delimiters: string): boolean {
  return value.length > 0 && ![...value].some((c) => delimiters.includes(c) || UNSAFE.test(c));
}

function anyOf(key: string, values: readonly string[], delimiters: string): string | undefined {
  if (!values.length || !values.every((v) => oneToken(v, delimiters))) return undefined;
  const terms = values.map((v) => `${key}: "${v}"`);
  return terms.length === 1 ? terms[0] : `(${terms.join(' or ')})`;
}

export function buildQuery(target: Target, filter: EventFilter, fields: SlsFields, index: SlsConfig['index']): string {
  const parts: string[] = [];
  const { delimiters } = index;
  if (index.fullText) {
    const rules = { isBreak: (c: string) => delimiters.includes(c), isSafe: (c: string) => !UNSAFE.test(c) && c.codePointAt(0)! < 0x80 };
    const words = new Set(filter.keywords.include.flatMap((kw) => interiorWords(kw, rules)));
    for (const w of words) if (!/^(and|or|not)$/i.test(w)) parts.push(`"${w}"`);
  }
  if (index.fields) {
    const clauses = [
      target.apps?.length ? anyOf(fields.app, target.apps, delimiters) : undefined,
      target.files?.length ? anyOf(fields.file, target.files, delimiters) : undefined,
      filter.levels?.length ? anyOf(fields.level, levelSpellings(filter.levels), delimiters) : undefined,
      filter.traceId !== undefined ? anyOf(fields.traceId, [filter.traceId], delimiters) : undefined,
    ];
    for (const c of clauses) if (c) parts.push(c);
  }
  return parts.join(' and ');
}
