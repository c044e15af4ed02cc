// Assembles the executable schema: the SDL files in schema/ merged with the resolvers of each
// concern. Plugins add their SDL and resolvers through the same two lists.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mergeResolvers, mergeTypeDefs } from '@graphql-tools/merge';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import type { Resolvers } from '../generated/graphql.js';
import { baseResolvers } from './resolvers.js';
import { tailResolvers } from '../pubsub/resolvers.js';
import { topologyResolvers } from '../topology/resolvers.js';
import { logsResolvers } from '../query/resolvers.js';
import { traceResolvers } from '../trace/resolvers.js';

export const SCHEMA_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'schema');

export function loadTypeDefs(dir = SCHEMA_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => readFileSync(join(dir, f), 'utf8'));
}

export const coreResolvers: Resolvers[] = [baseResolvers, tailResolvers, topologyResolvers, logsResolvers, traceResolvers];

export function buildSchema(extra: { typeDefs?: string[]; resolvers?: Resolvers[] } = {}): GraphQLSchema {
  return makeExecutableSchema({
    typeDefs: mergeTypeDefs([...loadTypeDefs(), ...(extra.typeDefs ?? [])]),
    resolvers: mergeResolvers([...coreResolvers, ...(extra.resolvers ?? [])]) as never,
    inheritResolversFromInterfaces: true,
  });
}
