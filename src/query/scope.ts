// Second step of the query chain: cuts the query to what the caller may read. Requested domains
// outside the scope are passed on as denied, and the planner reports them exactly as it reports
// names that do not exist, so a caller cannot probe which domains exist beyond its scope.

import { LogfedError } from '../errors/index.js';
import type { Access, Middleware, NormalisedQuery, QueryScope } from './request.js';

export function applyScope(query: Pick<NormalisedQuery, 'domains'>, scope: QueryScope | undefined): Access {
  if (!scope) return { domains: query.domains, deniedDomains: [] };
  const apps = scope.apps ? { ...scope.apps } : undefined;
  if (scope.domains === '*') return { domains: query.domains, deniedDomains: [], apps };
  const readable = new Set(scope.domains);
  if (!query.domains) return { domains: [...readable].sort(), deniedDomains: [], apps };
  return {
    domains: query.domains.filter((d) => readable.has(d)),
    deniedDomains: query.domains.filter((d) => !readable.has(d)),
    apps,
  };
}

export const scope: Middleware = (next) => (ctx, req) => {
  if (!req.query) throw new LogfedError('INTERNAL', 'scope runs after normalise');
  return next(ctx, { ...req, access: applyScope(req.query, ctx.scope) });
};
