// Turns a TailFilter into an event predicate, reusing the search path's keyword and regex
// semantics so that a live view and a search with the same filter agree.

import type { LogEvent } from '../core/event.js';
import { compileUserRegex, matchesKeywords, parseKeywords } from '../query/match.js';

export interface TailFilterInput {
  domains?: readonly string[] | null;
  envs?: readonly string[] | null;
  apps?: readonly string[] | null;
  levels?: readonly string[] | null;
  keywords?: string | null;
  regex?: string | null;
}

const setOf = (xs?: readonly string[] | null) => (xs && xs.length ? new Set(xs) : undefined);

export function compileTailFilter(f: TailFilterInput): (e: LogEvent) => boolean {
  const domains = setOf(f.domains);
  const envs = setOf(f.envs);
  const apps = setOf(f.apps);
  const levels = setOf(f.levels?.map((l) => l.toUpperCase()));
  const kw = parseKeywords(f.keywords);
  const hasKw = kw.include.length + kw.exclude.length > 0;
  const re = f.regex ? compileUserRegex(f.regex) : undefined;
  return (e) =>
    (!domains || domains.has(e.domain)) &&
    (!envs || envs.has(e.env)) &&
    (!apps || apps.has(e.app)) &&
    (!levels || levels.has((e.level ?? '').toUpperCase())) &&
    (!hasKw || matchesKeywords(e.message, kw)) &&
    (!re || re(e.message));
}
