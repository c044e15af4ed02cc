// The plugins' steps in the query chain (composed in query/chain.ts): after `plan`, custom
// layouts and `plan` hooks reshape the targets of their own domains; before `merge`, `results`
// hooks see and filter the events their domains returned. A plugin that fails here fails closed
// for its domains only: their sources answer ERROR naming the plugin, their events are left out
// of the page (a results hook may exist to hide something), every other domain answers as usual,
// and the cursor asks those sources again on the next page.

import type { LogEvent } from '../core/event.js';
import { LogfedError } from '../errors/index.js';
import type { Logstore } from '../topology/types.js';
import type { Access, Middleware, NormalisedQuery, PlannedTarget, QueryContext, QueryRequest, TargetOutcome } from '../query/request.js';
import type { HookContext, PlanTarget, Plugin } from './define.js';
import { failureText, reportFailure, runHook } from './isolate.js';

const hookContext = (plugin: Plugin, ctx: QueryContext, req: QueryRequest): HookContext => ({
  plugin: plugin.name,
  user: ctx.user,
  input: req.input,
  signal: ctx.signal,
});

interface Failed {
  planned: PlanTarget;
  error: string;
}

/** Layouts and plan hooks; the identity step when no plugin has either. */
export function planStep(plugins: readonly Plugin[]): Middleware {
  const layouts = new Map(plugins.flatMap((p) => (p.layout ? p.domains.map((d) => [d, p] as const) : [])));
  const planners = plugins.filter((p) => p.hooks?.plan);
  if (layouts.size === 0 && planners.length === 0) return (next) => next;
  return (next) => async (ctx, req) => {
    if (!req.query || !req.access || !req.targets || !req.limits) throw new LogfedError('INTERNAL', 'plugin plan hooks run after plan');
    const readable = new Set(req.access.domains ?? (await ctx.topology.domainNames()));
    let targets: PlanTarget[] = req.targets.map(({ rank: _rank, ...t }) => t);
    const failed: Failed[] = [];
    const fail = (plugin: Plugin, part: string, err: unknown, lost: PlanTarget[]) => {
      reportFailure(plugin.name, part, err);
      const error = failureText(plugin.name, part, err);
      failed.push(...lost.map((planned) => ({ planned, error })));
    };

    const laidOut = [...layouts.keys()].filter((d) => readable.has(d));
    const stores = laidOut.length ? await ctx.topology.logstoresByDomains(laidOut) : [];
    for (const domain of laidOut) {
      const plugin = layouts.get(domain)!;
      const before = targets.filter((t) => t.target.domain === domain);
      targets = targets.filter((t) => t.target.domain !== domain);
      try {
        targets.push(...(await layoutDomain(plugin, domain, stores, req.query, req.access)));
      } catch (err) {
        fail(plugin, 'layout', err, before);
      }
    }

    for (const plugin of planners) {
      const mine = new Set(plugin.domains.filter((d) => readable.has(d)));
      if (mine.size === 0) continue;
      const own = targets.filter((t) => mine.has(t.target.domain));
      const rest = targets.filter((t) => !mine.has(t.target.domain));
      try {
        const out = await runHook(() => plugin.hooks!.plan!(hookContext(plugin, ctx, req), own.map(copyTarget)), 'plan hook');
        checkTargets(out, mine, new Set(rest.map((t) => t.target.id)));
        if (rest.length + out.length > req.limits.maxTargets) {
          throw new Error(`it returned ${out.length} targets, which takes the query past its limit of ${req.limits.maxTargets}`);
        }
        targets = [...rest, ...out];
      } catch (err) {
        fail(plugin, 'plan hook', err, own);
        targets = rest;
      }
    }

    // Ranks are positions in the stable order by target id, as plan.ts gives them.
    const all = [...targets.map((planned) => ({ planned, error: undefined as string | undefined })), ...failed];
    all.sort((a, b) => (a.planned.target.id < b.planned.target.id ? -1 : a.planned.target.id > b.planned.target.id ? 1 : 0));
    const ranked: PlannedTarget[] = [];
    const settled: TargetOutcome[] = [];
    all.forEach(({ planned, error }, rank) => {
      if (error === undefined) ranked.push({ ...planned, rank });
      else settled.push(failedOutcome({ ...planned, rank }, error));
    });
    return next(ctx, { ...req, targets: ranked, settled: [...(req.settled ?? []), ...settled] });
  };
}

const copyTarget = (t: PlanTarget): PlanTarget => ({ ...t, target: { ...t.target } });

/** Targets for one domain through its plugin's layout, one call per env, each checked. */
async function layoutDomain(plugin: Plugin, domain: string, stores: Logstore[], query: NormalisedQuery, access: Access): Promise<PlanTarget[]> {
  const allowed = access.apps?.[domain];
  const apps = query.apps ? query.apps.filter((a) => !allowed || allowed.includes(a)) : allowed;
  if (apps && apps.length === 0) return [];
  const byEnv = new Map<string, Logstore[]>();
  for (const s of stores) {
    if (s.domain !== domain || (query.envs && !query.envs.includes(s.env))) continue;
    byEnv.set(s.env, [...(byEnv.get(s.env) ?? []), s]);
  }
  const out: PlanTarget[] = [];
  for (const [env, group] of byEnv) {
    const input = { domain, env, stores: group, ...(apps ? { apps } : {}), ...(query.files ? { files: query.files } : {}) };
    const planned = await runHook(() => plugin.layout!(input), 'layout');
    checkTargets(planned, new Set([domain]), new Set(out.map((t) => t.target.id)));
    for (const t of planned) {
      if (!group.some((s) => s.id === t.target.logstore.id) || t.target.env !== env) {
        throw new Error(`target ${t.target.id} is not on one of the ${domain}/${env} logstores it was given`);
      }
    }
    out.push(...planned);
  }
  return out;
}

/** Refuses what a plugin may not plan: other domains, malformed targets, ids already taken. */
function checkTargets(out: unknown, domains: ReadonlySet<string>, taken: ReadonlySet<string>): asserts out is PlanTarget[] {
  if (!Array.isArray(out)) throw new Error(`expected an array of targets, got ${typeof out}`);
  const ids = new Set(taken);
  for (const t of out as PlanTarget[]) {
    const target = t?.target;
    if (typeof target?.id !== 'string' || typeof target.env !== 'string' || typeof target.logstore?.backend !== 'string') {
      throw new Error('expected each target as { target: { id, domain, env, logstore } }');
    }
    if (!domains.has(target.domain) || target.logstore.domain !== target.domain) {
      throw new Error(`target ${target.id} is in domain ${target.logstore.domain === target.domain ? target.domain : target.logstore.domain}, not one of its own (${[...domains].join(', ')})`);
    }
    if (ids.has(target.id)) throw new Error(`target id ${target.id} is used twice`);
    ids.add(target.id);
  }
}

function failedOutcome(planned: PlannedTarget, error: string): TargetOutcome {
  const { logstore, domain } = planned.target;
  return { planned, status: { logstore: logstore.id, domain, backend: logstore.backend, status: 'ERROR', rows: 0, ms: 0, error }, missed: true };
}

const ORIGIN = Symbol('logfed.plugin.origin');
type Tagged = LogEvent & { [ORIGIN]?: number };

/** Results hooks, in load order; the identity step when no plugin has one. */
export function resultsStep(plugins: readonly Plugin[]): Middleware {
  const hooked = plugins.filter((p) => p.hooks?.results);
  if (hooked.length === 0) return (next) => next;
  return (next) => async (ctx, req) => {
    let outcomes = req.outcomes;
    if (!outcomes) throw new LogfedError('INTERNAL', 'plugin results hooks run after fan-out');
    for (const plugin of hooked) {
      const domains = new Set(plugin.domains);
      const mine = outcomes.filter((o) => o.read && o.read.hits.length > 0 && domains.has(o.planned.target.domain));
      if (mine.length === 0) continue;
      let kept: Map<TargetOutcome, TargetOutcome>;
      try {
        kept = await filterReads(plugin, hookContext(plugin, ctx, req), mine);
      } catch (err) {
        reportFailure(plugin.name, 'results hook', err);
        const error = failureText(plugin.name, 'results hook', err);
        kept = new Map(mine.map((o) => [o, { planned: o.planned, status: { ...o.status, status: 'ERROR', rows: 0, error }, missed: true }]));
      }
      outcomes = outcomes.map((o) => kept.get(o) ?? o);
    }
    return next(ctx, { ...req, outcomes });
  };
}

/** Calls one plugin's results hook over its sources' hits and rebuilds each read from what it kept. */
async function filterReads(plugin: Plugin, hctx: HookContext, mine: TargetOutcome[]): Promise<Map<TargetOutcome, TargetOutcome>> {
  const hits = mine.flatMap((o) => o.read!.hits);
  const tagged: Tagged[] = hits.map((h, k) => ({ ...h.event, [ORIGIN]: k }));
  const out = await runHook(() => plugin.hooks!.results!(hctx, tagged), 'results hook');
  if (!Array.isArray(out)) throw new Error(`expected an array of events, got ${typeof out}`);
  const keep = new Map<number, LogEvent>();
  for (const e of out as Tagged[]) {
    const k = e?.[ORIGIN];
    if (typeof k !== 'number' || !hits[k]) {
      throw new Error('it returned an event that is not one of those it was given: return them, or copies made with spread');
    }
    const { [ORIGIN]: _k, ...event } = e;
    if (event.domain !== hits[k]!.event.domain) throw new Error(`it moved an event from domain ${hits[k]!.event.domain} to ${String(event.domain)}`);
    keep.set(k, event);
  }
  const rebuilt = new Map<TargetOutcome, TargetOutcome>();
  let k = 0;
  for (const o of mine) {
    const read = o.read!;
    const kept = [];
    for (const h of read.hits) {
      const event = keep.get(k++);
      if (event) kept.push({ ...h, event });
    }
    rebuilt.set(o, { ...o, read: { ...read, hits: kept }, status: { ...o.status, rows: kept.length } });
  }
  return rebuilt;
}
