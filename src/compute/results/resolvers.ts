// GraphQL for what compute tasks emit (schema/metrics.graphql): the latest rows of a metric rule,
// alert history and live subscriptions to both. A row or alert is shown only when the caller's
// scope holds the domain and app in its key; one whose key names no domain spans domains and is
// shown only to callers who read everything.

import type { GraphQLContext } from '../../server/context.js';
import type { Resolvers } from '../../generated/graphql.js';
import { LogfedError } from '../../errors/index.js';
import type { AlertEvent } from '../alerts/types.js';
import type { MetricRow } from '../metrics/row.js';
import { MAX_LATEST } from './types.js';

type Filter = { ruleId?: string | null; state?: string | null; domain?: string | null; app?: string | null; since?: number | null; first?: number | null } | null | undefined;

function mayReadKey(ctx: Pick<GraphQLContext, 'identity'>, key: Record<string, string>): boolean {
  const scope = ctx.identity.scope;
  if (scope.unrestricted) return true;
  const domain = key.domain;
  if (domain === undefined) return false;
  return key.app === undefined ? scope.domain(domain) : scope.app(domain, key.app);
}

const keyOfAlert = (a: AlertEvent): Record<string, string> => ({ ...a.metric.key, ...(a.labels.domain ? { domain: a.labels.domain } : {}), ...(a.labels.app ? { app: a.labels.app } : {}) });

function alertMatcher(ctx: GraphQLContext, f: Filter): (a: AlertEvent) => boolean {
  return (a) => {
    const key = keyOfAlert(a);
    if (f?.ruleId && a.ruleId !== f.ruleId) return false;
    if (f?.state && a.state !== f.state) return false;
    if (f?.domain && key.domain !== f.domain) return false;
    if (f?.app && key.app !== f.app) return false;
    if (f?.since != null && a.evaluatedAt < f.since) return false;
    return mayReadKey(ctx, key);
  };
}

function keyFilter(filter: unknown): Record<string, string> {
  if (filter === null || filter === undefined) return {};
  if (typeof filter !== 'object' || Array.isArray(filter)) throw new LogfedError('BAD_USER_INPUT', 'filter: expected an object of key fields and values, such as {"app": "pay-core"}');
  return Object.fromEntries(Object.entries(filter).map(([k, v]) => [k, String(v)]));
}

export const resultResolvers: Resolvers = {
  Query: {
    metrics: async (_p, { ruleId, filter, last }, ctx) => {
      const n = last ?? 50;
      if (n < 1 || n > MAX_LATEST) throw new LogfedError('BAD_USER_INPUT', `last: expected 1..${MAX_LATEST}, got ${n}`);
      const key = keyFilter(filter);
      const rows = await ctx.runtime.results.store.latestRows(ruleId, key, ctx.identity.scope.unrestricted ? n : MAX_LATEST * 5);
      return rows.filter((r) => mayReadKey(ctx, r.key)).slice(0, n);
    },
    alerts: async (_p, { filter }, ctx) => {
      const first = filter?.first ?? 50;
      if (first < 1 || first > 500) throw new LogfedError('BAD_USER_INPUT', `filter.first: expected 1..500, got ${first}`);
      const found = await ctx.runtime.results.store.alerts({
        ...(filter?.ruleId ? { ruleId: filter.ruleId } : {}),
        ...(filter?.state ? { state: filter.state as AlertEvent['state'] } : {}),
        ...(filter?.since != null ? { since: filter.since } : {}),
        first: filter?.domain || filter?.app || !ctx.identity.scope.unrestricted ? 5000 : first,
      });
      return found.filter(alertMatcher(ctx, filter)).slice(0, first);
    },
  },
  Subscription: {
    metric: {
      subscribe: async function* (_p, { ruleId }, ctx) {
        const rows = ctx.runtime.results.hub.rows((r: MetricRow) => r.ruleId === ruleId && mayReadKey(ctx, r.key), ctx.signal);
        for await (const row of rows) yield { metric: row };
      },
    },
    alerts: {
      subscribe: async function* (_p, { filter }, ctx) {
        const alerts = ctx.runtime.results.hub.alerts(alertMatcher(ctx, filter), ctx.signal);
        for await (const alert of alerts) yield { alerts: alert };
      },
    },
  },
};
