// Checks the options a config entry gives a plugin factory, with the same kind of message as
// the rest of the config: the field, what was expected, and unknown keys refused.

import type { z } from 'zod';

/** Parses `options` with `schema`; throws one line per problem, which the loader names the plugin in. */
export function readOptions<S extends z.ZodTypeAny>(schema: S, options: unknown): z.output<S> {
  const parsed = schema.safeParse(options ?? {});
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) =>
    i.code === 'unrecognized_keys' ? `unknown option${i.keys.length > 1 ? 's' : ''} ${i.keys.join(', ')}` : `options.${i.path.join('.') || '(all)'}: ${i.message}`,
  );
  throw new Error(problems.join('; '));
}
