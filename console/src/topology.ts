// The domains, envs and apps the pickers offer, read once per page load from the gateway's
// topology (already cut to what the caller may read).

import { useEffect, useState } from 'preact/hooks';
import { gql } from './api/client.js';
import { TOPOLOGY, type Topology } from './api/queries.js';

export type Domains = Topology['domains'];

let pending: Promise<Domains> | undefined;

export function loadTopology(): Promise<Domains> {
  pending ??= gql<Topology>(TOPOLOGY).then(
    (t) => [...t.domains].sort((a, b) => a.name.localeCompare(b.name)),
    (err: unknown) => {
      pending = undefined; // a later view tries again
      throw err;
    },
  );
  return pending;
}

export function useTopology(): { domains: Domains; error?: Error } {
  const [state, setState] = useState<{ domains: Domains; error?: Error }>({ domains: [] });
  useEffect(() => {
    let live = true;
    loadTopology().then(
      (domains) => live && setState({ domains }),
      (error: Error) => live && setState({ domains: [], error }),
    );
    return () => {
      live = false;
    };
  }, []);
  return state;
}

/** Envs and apps offered for a domain choice ('' = every domain). */
export function choicesFor(domains: Domains, domain: string): { envs: string[]; apps: string[] } {
  const picked = domain ? domains.filter((d) => d.name === domain) : domains;
  const envs = new Set<string>();
  const apps = new Set<string>();
  for (const d of picked) {
    d.envs.forEach((e) => envs.add(e));
    d.apps.forEach((a) => apps.add(a.name));
  }
  return { envs: [...envs].sort(), apps: [...apps].sort() };
}
