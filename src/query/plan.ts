// Third step of the query chain: turns the scoped query into targets (a logstore plus the filter
// its layout implies), as in the seed's model: an env-layout store is searched with the apps and
// files as filters, an app-layout store per requested app, a file-layout store per app and file.
//
// Mixed layouts: within one domain and env, the most specific store serves what it holds. A
// file-layout store serves its (app, file); an app-layout store serves its app except the files
// that have their own store; an env-layout store serves the rest. What a more specific store
// serves is taken out of a broader store's `apps`/`files` filter when the query names apps or
// files; when it names none, the broader target carries an exclusion the gateway applies.
//
// Unknown names — not in the topology or outside the caller's scope — fail the whole query with
// one BAD_USER_INPUT listing them all (details.unknownDomains, details.unknownApps). An app is
// known in a domain when a logstore or the learned app list names it; an env-layout domain that
// has learned no app yet accepts any app name, since its structure is filled in from results.

import type { App, Logstore } from '../topology/types.js';
import { LogfedError, badInput } from '../errors/index.js';
import { knownApps } from '../topology/names.js';
import type { Access, Exclusion, Middleware, NormalisedQuery, PlannedTarget, TopologyReader } from './request.js';
import type { Target } from './types.js';

type Wanted = Pick<NormalisedQuery, 'envs' | 'apps' | 'files'>;

export async function planTargets(
  topology: TopologyReader,
  query: Wanted,
  access: Access,
  maxTargets: number,
): Promise<PlannedTarget[]> {
  const known = new Set(await topology.domainNames());
  const requested = access.domains ?? [...known].sort();
  const selected = requested.filter((d) => known.has(d));
  const unknownDomains = [...access.deniedDomains, ...requested.filter((d) => !known.has(d))].sort();

  const stores = selected.length ? await topology.logstoresByDomains(selected) : [];
  const learned = selected.length && topology.appsByDomains ? await topology.appsByDomains(selected) : [];
  const domains = describeDomains(selected, stores, learned, access);

  const unknownApps = (query.apps ?? []).filter((a) => ![...domains.values()].some((d) => d.mayServe(a)));
  if (unknownDomains.length || unknownApps.length) throw unknownNames(unknownDomains, unknownApps);

  const envs = query.envs ? new Set(query.envs) : undefined;
  const targets: Array<Omit<PlannedTarget, 'rank'>> = [];
  for (const [name, d] of domains) {
    const apps = d.appsFor(query.apps);
    if (apps && apps.size === 0) continue;
    const byEnv = new Map<string, Logstore[]>();
    for (const s of d.stores) {
      if (envs && !envs.has(s.env)) continue;
      byEnv.set(s.env, [...(byEnv.get(s.env) ?? []), s]);
    }
    for (const group of byEnv.values()) targets.push(...planEnvGroup(name, group, apps, query.files));
  }
  if (targets.length > maxTargets) {
    throw new LogfedError('LIMIT_EXCEEDED', `the query needs ${targets.length} logstores; the limit is ${maxTargets}: name domains, envs or apps to narrow it`, {
      details: { targets: targets.length, maxTargets },
    });
  }
  targets.sort((a, b) => (a.target.id < b.target.id ? -1 : a.target.id > b.target.id ? 1 : 0));
  return targets.map((t, rank) => ({ ...t, rank }));
}

export function unknownNames(unknownDomains: string[], unknownApps: string[]): LogfedError {
  const parts = [];
  if (unknownDomains.length) parts.push(`unknown domain${unknownDomains.length > 1 ? 's' : ''}: ${unknownDomains.join(', ')}`);
  if (unknownApps.length) parts.push(`unknown app${unknownApps.length > 1 ? 's' : ''}: ${unknownApps.join(', ')}`);
  return badInput(parts.join('; '), { unknownDomains, unknownApps });
}

interface DomainView {
  stores: Logstore[];
  /** Whether the caller may read app `a` here and the domain may hold it. */
  mayServe(a: string): boolean;
  /** The apps to search here: undefined means all. */
  appsFor(requested: string[] | undefined): Set<string> | undefined;
}

function describeDomains(selected: string[], stores: Logstore[], learned: App[], access: Access): Map<string, DomainView> {
  const views = new Map<string, DomainView>();
  const known = knownApps(stores.filter(isWellFormed), learned);
  for (const name of selected) {
    const own = stores.filter((s) => s.domain === name && isWellFormed(s));
    const apps = known.get(name) ?? new Set<string>();
    const open = apps.size === 0 && own.some((s) => s.layout === 'env');
    const allowed = access.apps?.[name] ? new Set(access.apps[name]) : undefined;
    const mayServe = (a: string) => (!allowed || allowed.has(a)) && (open || apps.has(a));
    views.set(name, {
      stores: own,
      mayServe,
      appsFor: (requested) => (requested ? new Set(requested.filter(mayServe)) : allowed),
    });
  }
  return views;
}

/** A store whose layout lacks its key (an app store without app) cannot be placed; it is left out. */
function isWellFormed(s: Logstore): boolean {
  if (s.layout === 'app') return s.app !== undefined;
  if (s.layout === 'file') return s.app !== undefined && s.file !== undefined;
  return true;
}

/** Targets for the stores of one domain and env; see the module comment for the rule. */
export function planEnvGroup(
  domain: string,
  stores: Logstore[],
  apps: Set<string> | undefined,
  files: string[] | undefined,
): Array<Omit<PlannedTarget, 'rank'>> {
  const wantApp = (a: string) => !apps || apps.has(a);
  const wantFile = (f: string) => !files || files.includes(f);
  const appStores = stores.filter((s) => s.layout === 'app');
  const fileStores = stores.filter((s) => s.layout === 'file');
  const appsWithStore = new Set(appStores.map((s) => s.app!));
  const filesServed = new Map<string, Set<string>>();
  for (const s of fileStores) filesServed.set(s.app!, (filesServed.get(s.app!) ?? new Set()).add(s.file!));

  const out: Array<Omit<PlannedTarget, 'rank'>> = [];
  const add = (store: Logstore, filter: Pick<Target, 'apps' | 'files'>, exclude: Exclusion[] = []) =>
    out.push({
      target: { id: store.id, logstore: store, domain, env: store.env, ...filter },
      ...(exclude.length ? { exclude } : {}),
    });

  for (const s of fileStores) if (wantApp(s.app!) && wantFile(s.file!)) add(s, {});

  for (const s of appStores) {
    if (!wantApp(s.app!)) continue;
    const served = filesServed.get(s.app!) ?? new Set<string>();
    if (files) {
      const rest = files.filter((f) => !served.has(f));
      if (rest.length) add(s, { files: rest });
    } else {
      add(s, {}, [...served].sort().map((file) => ({ app: s.app!, file })));
    }
  }

  // (app, file) pairs served by file stores of apps that have no app store of their own.
  const pairsServed = (keep: (app: string) => boolean): Exclusion[] =>
    [...filesServed]
      .filter(([app]) => !appsWithStore.has(app) && keep(app))
      .flatMap(([app, fs]) => [...fs].filter(wantFile).sort().map((file) => ({ app, file })))
      .sort((a, b) => (a.app < b.app ? -1 : a.app > b.app ? 1 : 0));
  for (const s of stores) {
    if (s.layout !== 'env') continue;
    if (apps) {
      const rest = [...apps]
        .filter((a) => !appsWithStore.has(a))
        .filter((a) => !(files && files.every((f) => filesServed.get(a)?.has(f))))
        .sort();
      if (!rest.length) continue;
      add(s, { apps: rest, ...(files ? { files } : {}) }, pairsServed((a) => rest.includes(a)));
    } else {
      const whole = [...appsWithStore].sort().map((app) => ({ app }));
      add(s, files ? { files } : {}, [...whole, ...pairsServed(() => true)]);
    }
  }
  return out;
}

export const plan: Middleware = (next) => async (ctx, req) => {
  if (!req.query || !req.access || !req.limits) throw new LogfedError('INTERNAL', 'plan runs after normalise and scope');
  const targets = await planTargets(ctx.topology, req.query, req.access, req.limits.maxTargets);
  return next(ctx, { ...req, targets });
};
