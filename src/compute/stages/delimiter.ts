// Splits one line into named columns on a delimiter, with optional CSV-style quoting (a doubled
// quote inside quotes is a literal quote) and a bound on the number of columns: the last name
// takes the rest of the line, extra columns are dropped, or the line is refused.

import { reject, type Rejected } from './types.js';

export interface DelimiterSpec {
  delimiter: string;
  fields: readonly string[];
  quote?: string;
  trim: boolean;
  onExtra: 'rest' | 'drop' | 'reject';
  onMissing: 'reject' | 'omit';
}

/** Column values in order, at most `fields.length` of them. */
export function splitDelimited(line: string, spec: DelimiterSpec): string[] | Rejected {
  const { delimiter, quote, trim } = spec;
  const want = spec.fields.length;
  const out: string[] = [];
  let p = 0;
  let lastStart = 0;
  for (;;) {
    lastStart = p;
    let value: string;
    if (quote !== undefined && line.startsWith(quote, p)) {
      const closed = readQuoted(line, p + 1, quote);
      if (closed === undefined) return reject(`delimiter: unclosed quote opened at column ${p + 1}`, 'noMatch');
      value = closed.value;
      p = closed.end;
      if (p < line.length && !line.startsWith(delimiter, p)) return reject(`delimiter: text after a closing quote at column ${p + 1}`, 'noMatch');
    } else {
      const next = line.indexOf(delimiter, p);
      const end = next === -1 ? line.length : next;
      value = trim ? line.slice(p, end).trim() : line.slice(p, end);
      p = end;
    }
    out.push(value);
    if (p >= line.length) break;
    p += delimiter.length;
    if (out.length === want) {
      if (spec.onExtra === 'reject') return reject(`delimiter: more than ${want} columns`, 'extraColumns');
      if (spec.onExtra === 'rest') out[want - 1] = trim ? line.slice(lastStart).trim() : line.slice(lastStart);
      break;
    }
  }
  if (out.length < want && spec.onMissing === 'reject') return reject(`delimiter: ${out.length} columns, expected ${want}`, 'missingColumns');
  return out;
}

function readQuoted(line: string, from: number, quote: string): { value: string; end: number } | undefined {
  let value = '';
  let p = from;
  for (;;) {
    const q = line.indexOf(quote, p);
    if (q === -1) return undefined;
    value += line.slice(p, q);
    if (line.startsWith(quote, q + 1)) {
      value += quote;
      p = q + 2;
      continue;
    }
    return { value, end: q + 1 };
  }
}
