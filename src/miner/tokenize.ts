// First step of mining: a message becomes whitespace-separated words, with hard caps so that a
// 1 MiB line or binary garbage costs a bounded amount of work. Masking (mask.ts) runs per word.

export interface Tokenized {
  words: string[];
  /** Words dropped past the cap (the caller replaces them by one trailing wildcard). */
  dropped: number;
  /** True when the message was cut at the character cap. */
  cut: boolean;
}

const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);

export function tokenize(message: string, maxTokens: number, maxLength: number): Tokenized {
  const cut = message.length > maxLength;
  const end = cut ? maxLength : message.length;
  const words: string[] = [];
  let dropped = 0;
  let i = 0;
  while (i < end) {
    while (i < end && isSpace(message.charCodeAt(i))) i++;
    if (i >= end) break;
    const start = i;
    while (i < end && !isSpace(message.charCodeAt(i))) i++;
    if (words.length < maxTokens) words.push(message.slice(start, i));
    else dropped++;
  }
  return { words, dropped, cut };
}
