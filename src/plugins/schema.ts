// The plugins' share of the executable schema (server/schema.ts merges it with schema/): their
// SDL once checked for conflicts, and their resolvers guarded so errors name the plugin. When
// the merged SDL does not build, each plugin is tried alone against the base to name the culprit.

import { mergeTypeDefs } from '@graphql-tools/merge';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { DocumentNode } from 'graphql';
import { LogfedError } from '../errors/index.js';
import { checkPlugins, ownerOf, typeDefsOf } from './conflicts.js';
import type { Plugin } from './define.js';
import { isolateResolvers } from './isolate.js';

export interface PluginSchema {
  typeDefs: Array<string | DocumentNode>;
  resolvers: Array<Record<string, unknown>>;
}

export function pluginSchema(plugins: readonly Plugin[], baseTypeDefs: ReadonlyArray<string | DocumentNode>): PluginSchema {
  checkPlugins(plugins, { baseTypeDefs });
  return {
    typeDefs: plugins.flatMap(typeDefsOf),
    resolvers: plugins.flatMap((p) => (p.resolvers ? [isolateResolvers(p.name, p.resolvers)] : [])),
  };
}

/** Turns a failed build into one naming the first plugin whose SDL does not fit the base alone. */
export function explainBuildFailure(err: unknown, plugins: readonly Plugin[], baseTypeDefs: ReadonlyArray<string | DocumentNode>): Error {
  for (const p of plugins) {
    try {
      makeExecutableSchema({ typeDefs: mergeTypeDefs([...baseTypeDefs, ...typeDefsOf(p)]), resolverValidationOptions: { requireResolversToMatchSchema: 'ignore' } });
    } catch (own) {
      return new LogfedError('BAD_CONFIG', `${ownerOf(p)}: its SDL does not fit the base schema: ${(own as Error).message}`, { cause: own });
    }
  }
  return err instanceof Error ? err : new Error(String(err));
}
