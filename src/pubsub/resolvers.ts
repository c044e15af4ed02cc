// The live tail subscription: a filtered view of the tail hub for one client, cut to the
// caller's scope (events outside it are never queued for the client) and masked by the
// sensitive fields of the logstores that hold each event before it is sent.

import { liveEgress } from '../auth/egress.js';
import type { Resolvers } from '../generated/graphql.js';
import type { TailItem } from './tail-hub.js';
import { compileTailFilter } from './tail-filter.js';

export const tailResolvers: Resolvers = {
  Subscription: {
    tail: {
      subscribe: async function* (_p, { filter }, ctx) {
        const matches = compileTailFilter(filter);
        const { scope } = ctx.identity;
        const { sensitive, masker } = ctx.runtime.security;
        // Until the logstores' sensitive fields are known, nothing is sent rather than something unmasked.
        await sensitive.ready();
        if (ctx.signal.aborted) return;
        const egress = liveEgress(scope, sensitive, masker);
        const sub = ctx.runtime.tail.subscribe((e) => scope.app(e.domain, e.app) && matches(e));
        const onAbort = () => sub.return?.();
        ctx.signal.addEventListener('abort', onAbort, { once: true });
        try {
          for await (const item of sub) {
            const out = egress(item);
            if (out) yield { tail: out as TailItem };
          }
        } finally {
          ctx.signal.removeEventListener('abort', onAbort);
          await sub.return?.();
        }
      },
    },
  },
};
