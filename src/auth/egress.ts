// The last door events pass before they leave the gateway. For searches (and so trace and plugin
// searches) it is a query-chain step run just before the merge; for the live tail it is a
// function over each event. Either way an event outside the caller's scope is dropped — the
// planner already keeps such targets out; this holds even if a plugin or an adapter does not —
// and what remains is masked by its logstore's sensitive fields.

import type { LogEvent } from '../core/event.js';
import { LogfedError } from '../errors/index.js';
import type { Middleware, QueryScope, TargetOutcome } from '../query/request.js';
import type { Logstore, TopologyStore } from '../topology/types.js';
import { sensitiveFieldsFor, type ReadMasker } from './mask.js';
import type { Scope } from './scope.js';

export function inQueryScope(scope: QueryScope | undefined, e: Pick<LogEvent, 'domain' | 'app'>): boolean {
  if (!scope) return true;
  if (scope.domains !== '*' && !scope.domains.includes(e.domain)) return false;
  const apps = scope.apps?.[e.domain];
  return !apps || apps.includes(e.app);
}

/** The engine step: runs after fan-out (and after plugins' results hooks), before the merge. */
export function egressStep(masker: ReadMasker): Middleware {
  return (next) => async (ctx, req) => {
    if (!req.outcomes) throw new LogfedError('INTERNAL', 'the egress step runs after fan-out');
    const outcomes = req.outcomes.map((o): TargetOutcome => {
      if (!o.read || o.read.hits.length === 0) return o;
      const fields = o.planned.target.logstore.sensitiveFields ?? [];
      const kept = ctx.scope ? o.read.hits.filter((h) => inQueryScope(ctx.scope, h.event)) : o.read.hits;
      if (fields.length === 0 && kept.length === o.read.hits.length) return o;
      const hits = fields.length === 0 ? kept : kept.map((h) => ({ ...h, event: masker.mask(h.event, fields) }));
      return { ...o, read: { ...o.read, hits } };
    });
    return next(ctx, { ...req, outcomes });
  };
}

/**
 * The sensitive fields of live events, from a snapshot of the logstores refreshed in the
 * background, since the tail cannot wait on the topology store per event. Until the first read
 * succeeds, `ready()` holds subscribers back rather than let unmasked events through.
 */
export interface SensitiveIndex {
  ready(): Promise<void>;
  fieldsFor(event: Pick<LogEvent, 'domain' | 'env' | 'app' | 'file'>): string[];
  /** Reads the logstores again on the next use (after an admin change). */
  invalidate(): void;
}

export function createSensitiveIndex(topology: Pick<TopologyStore, 'listLogstores'>, opts: { refreshMs?: number; now?: () => number } = {}): SensitiveIndex {
  const refreshMs = opts.refreshMs ?? 10_000;
  const now = opts.now ?? Date.now;
  let stores: Logstore[] | undefined;
  let loadedAt = -Infinity;
  let loading: Promise<void> | undefined;
  const load = () =>
    (loading ??= topology
      .listLogstores()
      .then((s) => {
        stores = s.filter((ls) => ls.sensitiveFields?.length);
        loadedAt = now();
      })
      .finally(() => {
        loading = undefined;
      }));
  const refresh = () => {
    if (now() - loadedAt >= refreshMs) load().catch(() => undefined);
  };
  return {
    async ready() {
      if (!stores) await load();
    },
    fieldsFor(event) {
      refresh();
      return stores ? sensitiveFieldsFor(stores, event) : [];
    },
    invalidate() {
      loadedAt = -Infinity;
    },
  };
}

/** For the tail: the caller's scope, then masking; undefined drops the event. */
export function liveEgress(scope: Scope, index: SensitiveIndex, masker: ReadMasker): (e: LogEvent) => LogEvent | undefined {
  return (e) => {
    if (!scope.app(e.domain, e.app)) return undefined;
    const fields = index.fieldsFor(e);
    return fields.length ? masker.mask(e, fields) : e;
  };
}
