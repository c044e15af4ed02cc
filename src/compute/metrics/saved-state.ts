// What the saved states of stateful rules (alert evaluators, composite aggregators) share: the
// schema of a metric row as JSON gives it back, and one way to check a saved state that names the
// first field that is wrong.

import { z } from 'zod';
import { badInput } from '../../errors/index.js';

export const finite = z.number().finite();

export const savedRowSchema = z
  .object({
    ruleId: z.string(),
    windowStart: finite,
    windowEnd: finite,
    label: finite,
    key: z.record(z.string(), z.string()),
    // A value that was not finite was written as null by JSON, as the row store writes it.
    values: z.record(z.string(), z.union([z.number(), z.string(), z.null()])),
  })
  .strict();

/** Parses a saved state of `what` ("alert rule \"x\""), or throws BAD_INPUT naming the field. */
export function parseSavedState<S extends z.ZodTypeAny>(schema: S, input: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const i = parsed.error.issues[0]!;
  throw badInput(`restore: the saved state of ${what} is not valid: ${i.path.join('.') || '(root)'}: ${i.message}`);
}
