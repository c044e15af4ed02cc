// The GraphQL face of the exception scanner: its findings, newest first, cut to what the caller
// may read. The alert pipeline receives the same findings as alert records.

import { LogfedError } from '../errors/index.js';
import type { Resolvers } from '../generated/graphql.js';
import { checkFirst, mayRead, patternsOf } from '../patterns/resolvers.js';
import { findingMessage } from './alert.js';

export const scannerResolvers: Resolvers = {
  ExceptionFinding: {
    kind: (f) => (f.kind === 'new' ? 'NEW' : 'SURGE'),
    message: (f) => findingMessage(f),
  },
  Query: {
    exceptionFindings: async (_p, { domain, app, since, first }, ctx) => {
      const scanner = patternsOf(ctx).scanner;
      if (!scanner) throw new LogfedError('SERVICE_UNAVAILABLE', 'the exception scanner is switched off on this gateway (patterns.scanner.enabled: false)');
      const found = await scanner.findings({ domain: domain ?? undefined, app: app ?? undefined, since: since ?? undefined, limit: checkFirst(first, 100) });
      return found.filter((f) => mayRead(ctx, f.domain, f.app));
    },
  },
};
