// Level spellings for backends that filter on the raw stored value: a filter on WARN must also
// find "warning" and "Warn", because events are normalised (normaliseLevel) after they are read.

import { normaliseLevel } from '../../src/core/event.js';

/** Raw spellings seen in the wild, each of which normaliseLevel maps to one of LEVELS. */
const SPELLINGS = ['TRACE', 'DEBUG', 'FINE', 'FINER', 'FINEST', 'INFO', 'WARN', 'WARNING', 'ERROR', 'ERR', 'SEVERE', 'FATAL', 'CRITICAL', 'CRIT', 'PANIC'];

/** Upper-case raw spellings whose normalised form is one of `levels` (compared case-insensitively). */
export function levelSpellings(levels: readonly string[]): string[] {
  const wanted = new Set(levels.map((l) => l.trim().toUpperCase()));
  const out = new Set<string>(wanted);
  for (const s of SPELLINGS) if (wanted.has(normaliseLevel(s)!)) out.add(s);
  return [...out].sort();
}
