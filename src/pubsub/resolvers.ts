// The live tail subscription: a filtered view of the tail hub for one client.

import type { Resolvers } from '../generated/graphql.js';
import { compileTailFilter } from './tail-filter.js';

export const tailResolvers: Resolvers = {
  Subscription: {
    tail: {
      subscribe: async function* (_p, { filter }, ctx) {
        const sub = ctx.runtime.tail.subscribe(compileTailFilter(filter));
        const onAbort = () => sub.return?.();
        ctx.signal.addEventListener('abort', onAbort, { once: true });
        try {
          for await (const item of sub) yield { tail: item };
        } finally {
          ctx.signal.removeEventListener('abort', onAbort);
          await sub.return?.();
        }
      },
    },
  },
};
