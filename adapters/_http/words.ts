// Whole words of a keyword that a token index is sure to hold: runs of characters bounded, inside
// the keyword, by token breaks on both sides. A message that contains the keyword contains those
// runs as whole tokens too, so asking a token index for them narrows without losing a match;
// the exact substring check in process decides. Runs at either end may be parts of longer
// tokens ("rder" in "order") and are never sent.

export interface WordRules {
  /** A character that always ends a token. */
  isBreak(c: string): boolean;
  /** A character safe to send inside a term: anything else drops the run. */
  isSafe(c: string): boolean;
}

export function interiorWords(keyword: string, rules: WordRules): string[] {
  const out: string[] = [];
  const chars = [...keyword];
  let i = 0;
  while (i < chars.length) {
    if (rules.isBreak(chars[i]!)) {
      i++;
      continue;
    }
    const start = i;
    while (i < chars.length && !rules.isBreak(chars[i]!)) i++;
    const interior = start > 0 && i < chars.length;
    const run = chars.slice(start, i);
    if (interior && run.every((c) => rules.isSafe(c))) out.push(run.join(''));
  }
  return [...new Set(out)];
}
