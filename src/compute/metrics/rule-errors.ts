// Turns schema failures of any compute rule into one BAD_USER_INPUT error whose message names
// each offending field by path ("composite.formula: unknown alias "C1" at column 9").

import type { z } from 'zod';
import { badInput } from '../../errors/index.js';

export function pathText(kind: string, path: ReadonlyArray<string | number>): string {
  let out = kind;
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `.${p}`;
  return out;
}

export function parseRule<S extends z.ZodTypeAny>(schema: S, input: unknown, kind: string): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ path: pathText(kind, i.path), message: i.message }));
  const id = typeof input === 'object' && input !== null && 'id' in input ? (input as { id: unknown }).id : undefined;
  throw badInput(issues.map((i) => `${i.path}: ${i.message}`).join('; '), { ruleId: id, issues });
}

/** Reports the first repeated name in a list at its index. */
export function refineUnique(names: readonly string[], ctx: z.RefinementCtx, path: ReadonlyArray<string | number>, what: string): void {
  const seen = new Set<string>();
  names.forEach((n, i) => {
    if (seen.has(n)) ctx.addIssue({ code: 'custom', path: [...path, i], message: `${what} "${n}" appears more than once` });
    seen.add(n);
  });
}
