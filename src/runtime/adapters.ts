// Builds one adapter per configured backend. Backends are named in config (`backends:`) and
// logstores refer to them by name; p-limit and breakers are keyed by that name too.

import { createFileAdapter } from '../../adapters/file/index.js';
import { createLokiAdapter } from '../../adapters/loki/index.js';
import { createMysqlAdapter } from '../../adapters/mysql/index.js';
import { createOpensearchAdapter } from '../../adapters/opensearch/index.js';
import { createSlsAdapter } from '../../adapters/sls/index.js';
import { LogfedError } from '../errors/index.js';
import type { Adapter } from '../query/types.js';

export type AdapterFactoryFn = (config: Record<string, unknown>) => Adapter;

export const BUILTIN_ADAPTERS: Record<string, AdapterFactoryFn> = {
  file: (c) => createFileAdapter(c as never),
  mysql: (c) => createMysqlAdapter(c as never),
  opensearch: (c) => createOpensearchAdapter(c as never),
  loki: (c) => createLokiAdapter(c as never),
  sls: (c) => createSlsAdapter(c as never),
};

export interface AdapterRegistry {
  get(backend: string): Adapter | undefined;
  names(): string[];
  close(): Promise<void>;
}

export function createAdapterRegistry(
  backends: Record<string, { kind: string } & Record<string, unknown>>,
  factories: Record<string, AdapterFactoryFn> = BUILTIN_ADAPTERS,
): AdapterRegistry {
  const adapters = new Map<string, Adapter>();
  for (const [name, { kind, ...rest }] of Object.entries(backends)) {
    const factory = factories[kind];
    if (!factory) {
      throw new LogfedError('BAD_CONFIG', `backends.${name}.kind: unknown adapter "${kind}"; expected one of ${Object.keys(factories).join(', ')}`);
    }
    try {
      adapters.set(name, factory(rest));
    } catch (err) {
      throw new LogfedError('BAD_CONFIG', `backends.${name}: ${(err as Error).message}`, { cause: err });
    }
  }
  return {
    get: (backend) => adapters.get(backend),
    names: () => [...adapters.keys()],
    async close() {
      await Promise.allSettled([...adapters.values()].map((a) => a.close?.()));
    },
  };
}
