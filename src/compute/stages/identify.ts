// Second stage: decides which data type a decoded record is, so several types can share one
// topic. Types are tried by priority (then rule order); cheap checks (topic, headers, keywords)
// run before the JSON body is read. No match is a rejection with the reason.

import type { DataTypeRule } from '../rules/index.js';
import { headerText, isRejected, readPath, reject, type RawRecord, type Rejected } from './types.js';

/** What identification may look at; `json()` parses the body once and is shared with parsing. */
export interface RecordView {
  text: string;
  topic?: string;
  headers?: RawRecord['headers'];
  json(): Record<string, unknown> | Rejected;
}

type Check = (view: RecordView) => boolean;

function same(actual: unknown, expected: string | number | boolean): boolean {
  return actual === expected || (actual !== undefined && actual !== null && typeof actual !== 'object' && String(actual) === String(expected));
}

function compileType(type: DataTypeRule): Check | undefined {
  const spec = type.identify;
  if (!spec) return undefined;
  const checks: Check[] = [];
  if (spec.topics) {
    const topics = new Set(spec.topics);
    checks.push((v) => v.topic !== undefined && topics.has(v.topic));
  }
  for (const [name, expected] of Object.entries(spec.headers ?? {})) {
    const allowed = new Set(Array.isArray(expected) ? expected : [expected]);
    checks.push((v) => {
      const actual = headerText(v.headers, name);
      return actual !== undefined && allowed.has(actual);
    });
  }
  const { all, any, none } = spec;
  if (all) checks.push((v) => all.every((k) => v.text.includes(k)));
  if (any) checks.push((v) => any.some((k) => v.text.includes(k)));
  if (none) checks.push((v) => !none.some((k) => v.text.includes(k)));
  const fields = Object.entries(spec.fields ?? {});
  if (fields.length > 0) {
    checks.push((v) => {
      const obj = v.json();
      if (isRejected(obj)) return false;
      return fields.every(([path, expected]) => {
        const actual = readPath(obj, path);
        return Array.isArray(expected) ? expected.some((e) => same(actual, e)) : same(actual, expected);
      });
    });
  }
  return (v) => {
    for (const check of checks) if (!check(v)) return false;
    return true;
  };
}

export type Identifier = (view: RecordView) => DataTypeRule | Rejected;

/** Compiles the identifying data types of a rule set into one function. */
export function compileIdentifier(types: readonly DataTypeRule[]): Identifier {
  const candidates = types
    .map((type, index) => ({ type, index, check: compileType(type) }))
    .filter((c): c is { type: DataTypeRule; index: number; check: Check } => c.check !== undefined)
    .sort((a, b) => b.type.priority - a.type.priority || a.index - b.index);
  const names = candidates.map((c) => c.type.id);
  const tried = names.length === 0 ? 'no data type has identify rules' : `tried ${names.slice(0, 5).join(', ')}${names.length > 5 ? ` and ${names.length - 5} more` : ''}`;
  return (view) => {
    for (const c of candidates) if (c.check(view)) return c.type;
    return reject(`unrecognised data type (${tried})`, 'unrecognised');
  };
}
