// The top pattern groups similar templates under one representative: siblings that differ
// in a word at a few positions share it, and a run of wildcards counts as one variable span,
// so templates that differ only in how many tokens a variable took meet there too.

import { generaliseToken } from './generalise.js';
import { WILDCARD } from './types.js';

/** Position-wise generalisation of two token lists of equal length. */
export function generaliseTokens(a: readonly string[], b: readonly string[]): string[] {
  return a.map((t, i) => generaliseToken(t, b[i]!));
}

/** The top template's text: wildcard runs collapse to one, whatever their length. */
export function topTemplateText(tokens: readonly string[]): string {
  const out: string[] = [];
  for (const t of tokens) {
    if (t === WILDCARD && out[out.length - 1] === WILDCARD) continue;
    out.push(t);
  }
  return out.join(' ');
}
