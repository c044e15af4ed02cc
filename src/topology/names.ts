// The app names each domain is known to have, gathered from the app rows (structure
// back-fill) and from logstores whose layout names an app. The planner reads it to tell a
// caller which of the apps they asked for do not exist.

import type { App, Logstore } from './types.js';

/** domain -> app names, from app rows and app/file-layout logstores. */
export function knownApps(logstores: readonly Logstore[], apps: readonly App[]): Map<string, Set<string>> {
  const known = new Map<string, Set<string>>();
  const add = (domain: string, app: string) => {
    let names = known.get(domain);
    if (!names) known.set(domain, (names = new Set()));
    names.add(app);
  };
  for (const app of apps) add(app.domain, app.name);
  // An env-layout logstore names no app: its apps are only learned from results.
  for (const ls of logstores) if (ls.app !== undefined) add(ls.domain, ls.app);
  return known;
}
