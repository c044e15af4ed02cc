// Assembles the executable schema: the SDL files in schema/ merged with the resolvers of each
// concern. Plugins add their SDL and resolvers through the same two lists (plugins/schema.ts).

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mergeResolvers, mergeTypeDefs } from '@graphql-tools/merge';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import type { Resolvers } from '../generated/graphql.js';
import { baseResolvers } from './resolvers.js';
import { tailResolvers } from '../pubsub/resolvers.js';
import { computeResolvers } from '../compute/resolvers.js';
import { topologyResolvers } from '../topology/resolvers.js';
import { logsResolvers } from '../query/resolvers.js';
import { traceResolvers } from '../trace/resolvers.js';
import { patternResolvers } from '../patterns/resolvers.js';
import { scannerResolvers } from '../scanner/resolvers.js';
import { resultResolvers } from '../compute/results/resolvers.js';
import type { Plugin } from '../plugins/define.js';
import { explainBuildFailure, pluginSchema } from '../plugins/schema.js';

export const SCHEMA_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'schema');

export function loadTypeDefs(dir = SCHEMA_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => readFileSync(join(dir, f), 'utf8'));
}

export const coreResolvers: Resolvers[] = [baseResolvers, tailResolvers, topologyResolvers, logsResolvers, traceResolvers, computeResolvers, patternResolvers, scannerResolvers, resultResolvers];

/** `plugins` are checked for conflicts with schema/ and each other; their resolvers are guarded. */
export function buildSchema(extra: { typeDefs?: string[]; resolvers?: Resolvers[]; plugins?: readonly Plugin[] } = {}): GraphQLSchema {
  const base = loadTypeDefs();
  const plugins = extra.plugins ?? [];
  const plugged = pluginSchema(plugins, base);
  try {
    return makeExecutableSchema({
      typeDefs: mergeTypeDefs([...base, ...(extra.typeDefs ?? []), ...plugged.typeDefs]),
      resolvers: mergeResolvers([...coreResolvers, ...(extra.resolvers ?? []), ...(plugged.resolvers as Resolvers[])]) as never,
      inheritResolversFromInterfaces: true,
    });
  } catch (err) {
    throw explainBuildFailure(err, plugins, base);
  }
}
