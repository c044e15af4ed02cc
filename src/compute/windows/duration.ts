// Durations in rule and task configuration ("90s", "5m", "1h30m", "7d"), used for lateness,
// idle timeouts and alert timings. Parsed once on load; engines only ever see milliseconds.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/y;

/** Returns milliseconds, or a reason the text is not a duration. A bare number is milliseconds. */
export function parseDuration(input: string | number): number | { error: string } {
  if (typeof input === 'number') {
    return Number.isFinite(input) && input >= 0 ? input : { error: `expected a non-negative duration, got ${input}` };
  }
  const text = input.trim();
  if (text === '') return { error: 'expected a duration such as "30s", "5m", "1h30m", "7d", got an empty string' };
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const at = PART.lastIndex;
    const m = PART.exec(text);
    if (!m) {
      return { error: `expected a duration such as "30s", "5m", "1h30m", "7d", got "${input}" (bad part at column ${at + 1})` };
    }
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
  }
  return total;
}
