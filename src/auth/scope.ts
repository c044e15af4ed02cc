// What a caller may read: domain and app name patterns (`shop-*`, `*`, `checkout`) compiled once
// per identity. Resolvers ask it directly about names they hold; the query engine, which plans
// with exact names, gets a QueryScope resolved against the topology for one request.

import { z } from 'zod';
import type { QueryScope, TopologyReader } from '../query/request.js';

/** `*` matches any run of characters; everything else matches itself. */
const pattern = z.string().regex(/^[a-z0-9*][a-z0-9._*-]{0,63}$/, 'expected a name or a pattern with * ([a-z0-9._-*], at most 64 characters)');

export const scopeSpecSchema = z
  .object({
    /** Domains the caller may read, as names or patterns; `['*']` is every domain. */
    domains: z.array(pattern).default([]),
    /**
     * Per domain (a name or pattern), the apps the caller may read there; a domain no key matches
     * allows all its apps. A domain matched by several keys allows the apps any of them lists.
     */
    apps: z.record(pattern, z.array(pattern)).optional(),
  })
  .strict();

export type ScopeSpec = z.output<typeof scopeSpecSchema>;

export interface Scope {
  readonly spec: ScopeSpec;
  /** Every domain and every app: nothing to cut. */
  readonly unrestricted: boolean;
  domain(name: string): boolean;
  app(domain: string, app: string): boolean;
  /** Whether the caller may read only some apps of this domain. */
  limitsApps(domain: string): boolean;
}

export function globMatcher(patterns: readonly string[]): (name: string) => boolean {
  if (patterns.includes('*')) return () => true;
  const exact = new Set(patterns.filter((p) => !p.includes('*')));
  const globs = patterns.filter((p) => p.includes('*')).map(globToRegExp);
  return (name) => exact.has(name) || globs.some((re) => re.test(name));
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\-]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`);
}

export function compileScope(spec: ScopeSpec): Scope {
  const domain = globMatcher(spec.domains);
  const appRules = Object.entries(spec.apps ?? {}).map(([d, apps]) => ({ domain: globMatcher([d]), apps: globMatcher(apps) }));
  const rulesFor = (d: string) => appRules.filter((r) => r.domain(d));
  return {
    spec,
    unrestricted: spec.domains.includes('*') && appRules.length === 0,
    domain,
    app: (d, a) => {
      if (!domain(d)) return false;
      const rules = rulesFor(d);
      return rules.length === 0 || rules.some((r) => r.apps(a));
    },
    limitsApps: (d) => rulesFor(d).length > 0,
  };
}

export const EVERYTHING: Scope = compileScope({ domains: ['*'] });
export const NOTHING: Scope = compileScope({ domains: [] });

/**
 * The exact names the planner works with for one request: the domains the topology holds that
 * the scope matches, and for each domain whose apps are limited, the apps it may show. App
 * patterns are expanded over the apps the topology knows (logstores and learned apps), plain
 * names are kept as they are, so an app not yet learned stays readable when it is named.
 */
export async function resolveQueryScope(scope: Scope, topology: TopologyReader): Promise<QueryScope | undefined> {
  if (scope.unrestricted) return undefined;
  const domains = (await topology.domainNames()).filter((d) => scope.domain(d)).sort();
  const limited = domains.filter((d) => scope.limitsApps(d));
  if (limited.length === 0) return { domains };
  const [stores, learned] = await Promise.all([topology.logstoresByDomains(limited), topology.appsByDomains?.(limited) ?? []]);
  const apps: Record<string, string[]> = {};
  for (const d of limited) {
    const named = Object.entries(scope.spec.apps ?? {})
      .filter(([pattern]) => globMatcher([pattern])(d))
      .flatMap(([, list]) => list.filter((a) => !a.includes('*')));
    const known = [...stores.filter((s) => s.domain === d).flatMap((s) => (s.app ? [s.app] : [])), ...learned.filter((a) => a.domain === d).map((a) => a.name)];
    apps[d] = [...new Set([...named, ...known.filter((a) => scope.app(d, a))])].sort();
  }
  return { domains, apps };
}
