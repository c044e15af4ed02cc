// Turns schema violations into one line per problem that names the path, says what was expected
// and echoes what came: `rules[3].steps[0].match[1].kind: expected one of equals|containsAll|sqlToken, got "like"`.
// Used by every rule validator, so an operator reading a rejected rule sees the same shape of message.

import type { ZodError, ZodIssue } from 'zod';

export interface RuleIssue {
  path: string;
  message: string;
}

/** `rules[3].steps[0].kind` from a prefix and a zod path. */
export function formatPath(prefix: string, path: ReadonlyArray<string | number>): string {
  let out = prefix;
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out === '' ? '(rule)' : out;
}

/** A short, quoted rendering of a received value for a message. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function valueAt(input: unknown, path: ReadonlyArray<string | number>): unknown {
  let cur: unknown = input;
  for (const part of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[part];
  }
  return cur;
}

function describe(issue: ZodIssue, got: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.received === 'undefined' ? `is required (expected ${issue.expected})` : `expected ${issue.expected}, got ${show(got)}`;
    case 'invalid_enum_value':
      return `expected one of ${issue.options.join('|')}, got ${show(issue.received)}`;
    case 'invalid_union_discriminator':
      return `expected one of ${issue.options.map(String).join('|')}, got ${show(got)}`;
    case 'invalid_literal':
      return `expected ${show(issue.expected)}, got ${show(got)}`;
    case 'too_small':
      return `expected ${boundText('at least', issue.type, Number(issue.minimum), issue.inclusive)}, got ${show(sizeOf(got))}`;
    case 'too_big':
      return `expected ${boundText('at most', issue.type, Number(issue.maximum), issue.inclusive)}, got ${show(sizeOf(got))}`;
    case 'custom':
      if (issue.params?.echo === false) return issue.message;
      return got === undefined ? issue.message : `${issue.message}, got ${show(got)}`;
    default:
      return got === undefined ? issue.message : `${issue.message}, got ${show(got)}`;
  }
}

function boundText(word: string, type: string, bound: number, inclusive: boolean): string {
  if (type === 'string') return `${word} ${bound} characters`;
  if (type === 'array') return `${word} ${bound} items`;
  const op = word === 'at least' ? (inclusive ? '>=' : '>') : inclusive ? '<=' : '<';
  return `a number ${op} ${bound}`;
}

function sizeOf(value: unknown): unknown {
  if (typeof value === 'string' && value.length > 80) return `${value.length} characters`;
  if (Array.isArray(value)) return `${value.length} items`;
  return value;
}

/** Every issue of a failed parse, one per problem; unknown keys get one line each. */
export function formatIssues(error: ZodError, input: unknown, prefix = ''): RuleIssue[] {
  const out: RuleIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: formatPath(prefix, [...issue.path, key]), message: 'unknown key' });
      continue;
    }
    out.push({ path: formatPath(prefix, issue.path), message: describe(issue, valueAt(input, issue.path)) });
  }
  return out;
}

export function issuesText(issues: readonly RuleIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join('; ');
}
