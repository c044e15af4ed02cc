// Resolvers for the base schema: health, the mutation probe, the heartbeat subscription and
// the scalars.

import { setTimeout as sleep } from 'node:timers/promises';
import { badInput } from '../errors/index.js';
import type { Resolvers } from '../generated/graphql.js';
import { DateTimeScalar, JSONScalar } from './scalars.js';

export const baseResolvers: Resolvers = {
  DateTime: DateTimeScalar,
  JSON: JSONScalar,
  Log: { __resolveType: (obj) => ('dropped' in obj ? 'TailEvent' : 'LogEvent') },
  Query: {
    health: (_p, _a, ctx) => ctx.runtime.health(),
  },
  Mutation: {
    ping: () => true,
  },
  Subscription: {
    heartbeat: {
      subscribe: async function* (_p, { seconds, count }, ctx) {
        const s = seconds ?? 5;
        const n = count ?? 10;
        if (s < 1 || s > 60) throw badInput(`heartbeat.seconds must be between 1 and 60, got ${s}`);
        if (n < 1 || n > 1000) throw badInput(`heartbeat.count must be between 1 and 1000, got ${n}`);
        for (let i = 0; i < n; i++) {
          if (i > 0) await sleep(s * 1000, undefined, { signal: ctx.signal }).catch(() => undefined);
          if (ctx.signal.aborted) return;
          yield { heartbeat: Date.now() };
        }
      },
    },
  },
};
