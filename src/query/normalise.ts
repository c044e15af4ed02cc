// First step of the query chain: checks a SearchInput and turns it into a NormalisedQuery —
// bounded time range, page size, parsed keywords, compiled regex, fingerprint, decoded cursor.
// Every rejection is BAD_USER_INPUT naming the argument, so GraphQL can show it as is.
//
// Time range rule: `from` is inclusive, `to` exclusive. With neither, the query covers the last
// `defaultSpanMs` (1 h) up to now; with only `from`, it runs to now; with only `to`, it covers the
// `defaultSpanMs` before it. Any range wider than `maxSpanMs` is refused, never cut silently.
// A page resumed with `after` reuses the range resolved for the first page, so "now" does not
// move under a client that is paging.

import { z } from 'zod';
import { normaliseLevel } from '../core/event.js';
import { badInput } from '../errors/index.js';
import { compileUserRegex, parseKeywords } from './match.js';
import { decodeCursor, fingerprintOf } from './cursor.js';
import { DEFAULT_LIMITS, type Middleware, type NormalisedQuery, type QueryLimits, type SearchInput } from './request.js';

const names = z.array(z.string()).optional();
const inputSchema = z
  .object({
    domains: names,
    envs: names,
    apps: names,
    files: names,
    keywords: z.string().optional(),
    levels: names,
    traceId: z.string().optional(),
    from: z.number().optional(),
    to: z.number().optional(),
    regex: z.string().optional(),
    order: z.enum(['asc', 'desc']).optional(),
    first: z.number().optional(),
    after: z.string().optional(),
    strategy: z.enum(['affinity', 'all']).optional(),
  })
  .strict();

export function normaliseInput(raw: SearchInput, limits: QueryLimits, now: number): NormalisedQuery {
  const input = parseShape(raw);
  const first = input.first ?? limits.defaultFirst;
  if (!Number.isInteger(first) || first < 1 || first > limits.maxFirst) {
    throw badInput(`first must be an integer from 1 to ${limits.maxFirst}, got ${first}`, { argument: 'first' });
  }
  const order = input.order ?? 'desc';
  const strategy = input.strategy ?? 'all';
  const keywords = parseKeywords(input.keywords);
  const levels = nameList('levels', input.levels)?.map((l) => normaliseLevel(l)!);
  const traceId = input.traceId?.trim() || undefined;
  const regex = input.regex === undefined || input.regex === '' ? undefined : input.regex;
  const regexMatcher = regex === undefined ? undefined : compileUserRegex(regex);
  const query = {
    domains: nameList('domains', input.domains),
    envs: nameList('envs', input.envs),
    apps: nameList('apps', input.apps),
    files: nameList('files', input.files),
  };
  const fingerprint = fingerprintOf({
    ...query,
    keywords,
    levels,
    traceId,
    regex,
    order,
    strategy,
    from: input.from ?? null,
    to: input.to ?? null,
  });
  const resume = input.after === undefined ? undefined : decodeCursor(input.after, fingerprint);
  const range = resume?.range ?? resolveRange(input.from, input.to, limits, now);
  return {
    ...query,
    filter: { from: range.from, to: range.to, keywords, levels, traceId, regex },
    order,
    first,
    strategy,
    regexMatcher,
    fingerprint,
    resume,
    live: order === 'asc' && range.to > now,
  };
}

export function resolveRange(from: number | undefined, to: number | undefined, limits: QueryLimits, now: number) {
  for (const [name, v] of [['from', from], ['to', to]] as const) {
    if (v !== undefined && !Number.isSafeInteger(v)) {
      throw badInput(`${name} must be epoch milliseconds (an integer), got ${v}`, { argument: name });
    }
  }
  const end = to ?? (from === undefined ? now : Math.max(now, from + 1));
  const start = from ?? end - limits.defaultSpanMs;
  if (start >= end) throw badInput(`from (${start}) must be before to (${end})`, { argument: 'from' });
  if (end - start > limits.maxSpanMs) {
    throw badInput(
      `the time range spans ${formatSpan(end - start)}; the limit is ${formatSpan(limits.maxSpanMs)} (maxSpanMs=${limits.maxSpanMs})`,
      { argument: 'from', maxSpanMs: limits.maxSpanMs },
    );
  }
  return { from: start, to: end };
}

export const normalise =
  (now: () => number = Date.now): Middleware =>
  (next) =>
  (ctx, req) => {
    const limits = req.limits ?? DEFAULT_LIMITS;
    return next(ctx, { ...req, limits, query: normaliseInput(req.input, limits, now()) });
  };

function parseShape(raw: SearchInput): SearchInput {
  const res = inputSchema.safeParse(raw ?? {});
  if (res.success) return res.data;
  const issue = res.error.issues[0]!;
  const where = issue.path.join('.') || 'input';
  throw badInput(`${where}: ${issue.message}`, { argument: String(issue.path[0] ?? 'input') });
}

/** Trims, drops duplicates and refuses blank names; sorted, since the lists are sets (and fingerprinted). */
function nameList(argument: string, list: string[] | undefined): string[] | undefined {
  if (list === undefined || list.length === 0) return undefined;
  const out: string[] = [];
  for (const raw of list) {
    const name = raw.trim();
    if (!name) throw badInput(`${argument} contains a blank name`, { argument });
    if (!out.includes(name)) out.push(name);
  }
  return out.sort();
}

function formatSpan(ms: number): string {
  const h = ms / 3600_000;
  return h >= 48 ? `${+(h / 24).toFixed(2)} days` : `${+h.toFixed(2)} hours`;
}
