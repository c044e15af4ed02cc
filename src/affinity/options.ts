// Checks the options of the affinity stores and the ranker when they are built: unknown keys
// are refused, and a wrong value is named with what was expected and what came, so a typo in
// configuration fails at start instead of silently ranking with defaults.

import { LogfedError } from '../errors/index.js';

type Rule = { expect: string; ok: (value: unknown) => boolean };

const isNumber = (v: unknown): v is number => typeof v === 'number' && !Number.isNaN(v);

export const rules = {
  positive: { expect: 'a number > 0 (Infinity allowed)', ok: (v) => isNumber(v) && v > 0 },
  positiveInt: { expect: 'an integer >= 1', ok: (v) => Number.isInteger(v) && (v as number) >= 1 },
  count: { expect: 'an integer >= 0', ok: (v) => Number.isInteger(v) && (v as number) >= 0 },
  finitePositive: { expect: 'a finite number > 0', ok: (v) => isNumber(v) && v > 0 && Number.isFinite(v) },
  clock: { expect: 'a function returning epoch ms', ok: (v) => typeof v === 'function' },
  object: { expect: 'an object', ok: (v) => typeof v === 'object' && v !== null },
  map: { expect: 'a Map of app key to epoch ms', ok: (v) => v instanceof Map },
  list: { expect: 'an array', ok: (v) => Array.isArray(v) },
  string: { expect: 'a string', ok: (v) => typeof v === 'string' },
} satisfies Record<string, Rule>;

const show = (v: unknown) =>
  typeof v === 'number' ? String(v) : typeof v === 'function' ? 'a function' : v instanceof Map ? 'a Map' : (JSON.stringify(v) ?? String(v));

/**
 * Throws BAD_CONFIG for unknown keys and for set values that break their rule; undefined
 * values count as absent, so callers can spread optional settings.
 */
export function checkOptions(where: string, raw: object, spec: Record<string, Rule>): void {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const rule = spec[key];
    if (!rule) problems.push(`${where}.${key}: unknown option (known: ${Object.keys(spec).join(', ')})`);
    else if (value !== undefined && !rule.ok(value)) problems.push(`${where}.${key}: expected ${rule.expect}, got ${show(value)}`);
  }
  if (problems.length) throw new LogfedError('BAD_CONFIG', `invalid ${where} options: ${problems.join('; ')}`, { details: { problems } });
}

/** Rejects a write amount that could never be applied (a programming error, not an outage). */
export function checkAmount(by: number): void {
  if (!(isNumber(by) && by > 0 && Number.isFinite(by))) throw new LogfedError('BAD_USER_INPUT', `affinity increment: expected a finite number > 0, got ${show(by)}`);
}

export function checkCount(n: number): void {
  if (!rules.count.ok(n)) throw new LogfedError('BAD_USER_INPUT', `affinity read: expected n to be an integer >= 0, got ${show(n)}`);
}
