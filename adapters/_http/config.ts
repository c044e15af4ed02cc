// Config and location checks for the network adapters: zod schemas (strict, beside each
// adapter) run through one helper so every message names the field, what was expected and
// what came, as the file and mysql adapters' messages do.

import type { z } from 'zod';
import { LogfedError } from '../../src/errors/index.js';
import type { Logstore } from '../../src/topology/types.js';
import { describeZodError } from '../file/location.js';

export function parseAdapterConfig<S extends z.ZodTypeAny>(kind: string, schema: S, config: unknown): z.output<S> {
  const r = schema.safeParse(config ?? {});
  if (r.success) return r.data;
  throw new LogfedError('BAD_CONFIG', `${kind} adapter config: ${describeZodError(r.error, 'config', config)}`);
}

export function parseLocation<S extends z.ZodTypeAny>(schema: S, store: Logstore): z.output<S> {
  const r = schema.safeParse(store.location);
  if (r.success) return r.data;
  throw new LogfedError('BAD_CONFIG', `logstore ${store.id}: ${describeZodError(r.error, 'location', store.location)}`, { details: { logstore: store.id } });
}
