// A written date spans several words (`Sat Jun 18 02:08:10 2005`); it becomes one wildcard
// before clustering, so that month and weekday names do not split a pattern. Runs on the
// words of a message after masking, before the miner groups them.

import { WILDCARD } from './types.js';

const MONTHS = new Set(
  'jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july august september october november december'.split(
    ' ',
  ),
);
const WEEKDAYS = new Set('mon tue tues wed thu thur thurs fri sat sun monday tuesday wednesday thursday friday saturday sunday'.split(' '));

const TRAILING = /[,.;)\]]+$/;

// Called on every word of every message, so it rules most words out before any allocation:
// month and weekday names start with one of these letters.
const INITIALS = new Set('JFMASONDTWjfmasondtw'.split('').map((c) => c.charCodeAt(0)));

function bare(word: string): string {
  if (!INITIALS.has(word.charCodeAt(0))) return '';
  let end = word.length;
  for (;;) {
    const c = word.charCodeAt(end - 1);
    if (c !== 44 && c !== 46 && c !== 59 && c !== 41 && c !== 93) break; // , . ; ) ]
    end--;
  }
  if (end < 3 || end > 9) return '';
  return (end === word.length ? word : word.slice(0, end)).toLowerCase();
}

const isDay = (word: string): boolean => /^(0?[1-9]|[12]\d|3[01])(st|nd|rd|th)?,?$/.test(word);
const isYear = (word: string): boolean => /^(19|20)\d\d[,.]?$/.test(word);
const isTime = (word: string): boolean => /^\d{1,2}:\d\d(:\d\d([.,]\d+)?)?[,.]?$/.test(word);
const isZone = (word: string): boolean => /^([A-Z]{2,5}|[+-]\d{4}|UTC[+-]\d{1,2})[,.]?$/.test(word);

/**
 * Replaces each date span in `masked` (parallel to the raw `words`) by one wildcard, keeping the
 * span's trailing punctuation. Returns `masked` itself when there is no date.
 */
export function foldDates(words: readonly string[], masked: string[]): string[] {
  let out: string[] | undefined;
  let from = 0;
  for (let i = 0; i < words.length; i++) {
    if (!MONTHS.has(bare(words[i]!))) continue;
    const span = dateSpan(words, i);
    if (!span) continue;
    out ??= [];
    for (let j = from; j < span[0]; j++) out.push(masked[j]!);
    const last = words[span[1] - 1]!;
    out.push(WILDCARD + (TRAILING.exec(last)?.[0] ?? ''));
    from = span[1];
    i = span[1] - 1;
  }
  if (!out) return masked;
  for (let j = from; j < masked.length; j++) out.push(masked[j]!);
  return out;
}

// A month name counts as a date only next to a day number; the span then takes in a weekday
// before it and a year, a time and a zone after it, in the orders logs write them.
function dateSpan(words: readonly string[], month: number): [number, number] | undefined {
  let start = month;
  let end = month + 1;
  if (end < words.length && isDay(words[end]!)) end++;
  else if (start > 0 && isDay(words[start - 1]!)) start--;
  else return undefined;
  if (start > 0 && WEEKDAYS.has(bare(words[start - 1]!))) start--;
  for (const accept of [isYear, isTime, isZone, isYear]) {
    if (end < words.length && accept(words[end]!)) end++;
  }
  return [start, end];
}
