// The checks resolvers make, in one place so every concern applies them alike: a role for admin
// mutations, the scope for anything that names a domain or app. A read of a name outside the
// scope fails exactly as a read of a name that does not exist, so nothing leaks existence; a
// write outside the scope is FORBIDDEN whether or not the name exists.

import { LogfedError } from '../errors/index.js';
import { unknownNames } from '../query/plan.js';
import type { QueryScope, TopologyReader } from '../query/request.js';
import type { GraphQLContext } from '../server/context.js';
import { roleAtLeast, type Identity, type Role } from './identity.js';
import { resolveQueryScope } from './scope.js';

type WithIdentity = Pick<GraphQLContext, 'identity'>;

export function requireRole(ctx: WithIdentity, role: Role): void {
  if (!roleAtLeast(ctx.identity.role, role)) {
    throw new LogfedError('FORBIDDEN', `this operation needs the ${role} role; the caller ${ctx.identity.user} has ${ctx.identity.role}`);
  }
}

export const canReadDomain = (ctx: WithIdentity, domain: string) => ctx.identity.scope.domain(domain);
export const canReadApp = (ctx: WithIdentity, domain: string, app: string) => ctx.identity.scope.app(domain, app);

/** For reads: a domain outside the scope is reported as unknown, with the planner's own error. */
export function requireDomain(ctx: WithIdentity, domain: string): void {
  if (!canReadDomain(ctx, domain)) throw unknownNames([domain], []);
}

/** For writes: the caller must hold the domain in scope (and the role, checked separately). */
export function requireWritableDomain(ctx: WithIdentity, ...domains: string[]): void {
  for (const d of domains) {
    if (!canReadDomain(ctx, d)) throw new LogfedError('FORBIDDEN', `domain ${d} is outside the caller's scope`);
  }
}

/**
 * For what spans domains (compute tasks and their rules read any domain's raw lines): only a
 * caller whose scope holds every domain and app sees it at all.
 */
export const readsEverything = (ctx: WithIdentity) => ctx.identity.scope.unrestricted;

export function requireEverything(ctx: WithIdentity, what: string): void {
  if (!readsEverything(ctx)) throw new LogfedError('FORBIDDEN', `${what} spans every domain; the caller's scope does not`);
}

/** Keeps the items whose domain (and app, when `appOf` gives one) the caller may read. */
export function filterByScope<T>(ctx: WithIdentity, items: readonly T[], domainOf: (item: T) => string, appOf?: (item: T) => string | undefined): T[] {
  const scope = ctx.identity.scope;
  if (scope.unrestricted) return [...items];
  return items.filter((item) => {
    const d = domainOf(item);
    const a = appOf?.(item);
    return a === undefined ? scope.domain(d) : scope.app(d, a);
  });
}

const resolved = new WeakMap<object, Promise<QueryScope | undefined>>();

/** The request's scope in the exact names the planner uses, resolved once per operation. */
export function queryScopeOf(ctx: WithIdentity & object, topology: TopologyReader): Promise<QueryScope | undefined> {
  let scope = resolved.get(ctx);
  if (!scope) {
    scope = resolveQueryScope(ctx.identity.scope, topology);
    resolved.set(ctx, scope);
  }
  return scope;
}

export type { Identity };
