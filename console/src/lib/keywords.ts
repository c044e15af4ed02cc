// The search box's syntax as the gateway reads it (LogQuery.keywords): terms, "quoted phrases"
// and -exclusions, all case-sensitive. The console uses it to say what a query means and to
// highlight what matched; the gateway alone decides what matches.

export interface Keywords {
  include: string[];
  exclude: string[];
}

const TOKEN = /(-?)(?:"([^"]*)"?|(\S+))/g;

export function splitKeywords(input: string): Keywords {
  const out: Keywords = { include: [], exclude: [] };
  // A "-" followed by a space is a term of its own: the optional minus backtracks into \S+.
  for (const [, minus, phrase, word] of input.matchAll(TOKEN)) {
    const term = phrase ?? word ?? '';
    if (term !== '') (minus ? out.exclude : out.include).push(term);
  }
  return out;
}

export interface Segment {
  text: string;
  hit: boolean;
}

/** Cuts text into runs that are and are not occurrences of any of the terms (longest term first). */
export function highlight(text: string, terms: readonly string[]): Segment[] {
  const wanted = [...new Set(terms.filter((t) => t.length > 0))].sort((a, b) => b.length - a.length);
  if (wanted.length === 0) return [{ text, hit: false }];
  const segments: Segment[] = [];
  let plain = '';
  let i = 0;
  outer: while (i < text.length) {
    for (const t of wanted) {
      if (text.startsWith(t, i)) {
        if (plain) segments.push({ text: plain, hit: false });
        plain = '';
        segments.push({ text: t, hit: true });
        i += t.length;
        continue outer;
      }
    }
    plain += text[i];
    i++;
  }
  if (plain) segments.push({ text: plain, hit: false });
  return segments;
}
