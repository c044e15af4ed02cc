// The GraphQL face of patterns: stored patterns listed and read (with samples and a histogram),
// annotated by the caller, streamed live as the miner sees them, and clustered on demand for a
// page of `logs` results. Every answer is cut to what the caller may read.

import { canReadApp } from '../auth/access.js';
import { LogfedError, badInput } from '../errors/index.js';
import type { PatternFilter, PatternOrder as GqlPatternOrder, Resolvers } from '../generated/graphql.js';
import type { GraphQLContext } from '../server/context.js';
import { histogramSeries } from './histogram.js';
import { decodePatternId, encodePatternId } from './ids.js';
import { clusterPage } from './page.js';
import type { PatternService } from './service.js';
import type { PatternUpdate } from './stage.js';
import type { PatternOrder, PatternQuery } from './store.js';

const ORDER: Record<GqlPatternOrder, PatternOrder> = { COUNT: 'count', RECENT: 'recent', NEW: 'new' };
const MAX_FIRST = 1000;
const MAX_TEXT = { label: 200, cause: 4000, advice: 4000 } as const;
const DAY = 86_400_000;

export function patternsOf(ctx: GraphQLContext): PatternService {
  const service = ctx.runtime.patterns;
  if (!service) throw new LogfedError('SERVICE_UNAVAILABLE', 'patterns are switched off on this gateway (patterns.enabled: false)');
  return service;
}

/** Whether the caller's scope holds an app's patterns (src/auth/access.ts). */
export function mayRead(ctx: GraphQLContext, domain: string, app: string): boolean {
  return canReadApp(ctx, domain, app);
}

export function checkFirst(first: number | null | undefined, fallback: number): number {
  const n = first ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > MAX_FIRST) throw badInput(`first: expected an integer from 1 to ${MAX_FIRST}, got ${n}`);
  return n;
}

const list = (xs: readonly string[] | null | undefined) => (xs ? [...xs] : undefined);

function toQuery(f: PatternFilter | null | undefined, order: GqlPatternOrder, limit: number): PatternQuery {
  if (f?.text != null && f.text.length > 200) throw badInput(`filter.text: expected at most 200 characters, got ${f.text.length}`);
  return {
    domains: list(f?.domains),
    apps: list(f?.apps),
    topPatternId: f?.topPatternId ?? undefined,
    text: f?.text || undefined,
    labelled: f?.labelled ?? undefined,
    seenSince: f?.seenSince ?? undefined,
    order: ORDER[order],
    limit,
  };
}

function compileUpdateFilter(f: PatternFilter | null | undefined): (u: PatternUpdate) => boolean {
  if (f?.labelled != null || f?.seenSince != null) throw badInput('filter.labelled and filter.seenSince apply to stored patterns, not to the patterns subscription');
  const q = toQuery(f, 'COUNT', 1);
  const domains = q.domains && new Set(q.domains);
  const apps = q.apps && new Set(q.apps);
  return (u) =>
    (!domains || domains.has(u.domain)) &&
    (!apps || apps.has(u.app)) &&
    (q.topPatternId === undefined || u.topPatternId === q.topPatternId) &&
    (q.text === undefined || u.template.includes(q.text));
}

function annotationText(name: keyof typeof MAX_TEXT, value: string | null | undefined): string | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  if (v.length > MAX_TEXT[name]) throw badInput(`${name}: expected at most ${MAX_TEXT[name]} characters, got ${v.length}`);
  return v;
}

/** A stored pattern by GraphQL id; an id whose template generalised since is followed to its pattern. */
async function findPattern(ctx: GraphQLContext, id: string) {
  const ref = decodePatternId(id);
  if (!mayRead(ctx, ref.domain, ref.app)) return undefined;
  const { store, stage } = patternsOf(ctx);
  return (
    (await store.get(ref.domain, ref.app, ref.patternId)) ??
    (await store.get(ref.domain, ref.app, stage.resolve(ref.domain, ref.app, ref.patternId)))
  );
}

export const patternResolvers: Resolvers = {
  Pattern: {
    id: (r) => encodePatternId(r),
    histogram: async (r, { from, to, bucketMinutes }, ctx) => {
      const width = bucketMinutes ?? 1;
      if (!Number.isInteger(width) || width < 1 || width > 7 * 24 * 60) throw badInput(`bucketMinutes: expected an integer from 1 to 10080, got ${width}`);
      const end = to ?? Date.now();
      const start = from ?? Math.max(end - DAY, Math.min(r.firstSeen, end - width * 60_000));
      const stored = await patternsOf(ctx).store.history(r.domain, r.app, r.patternId, start, end);
      return histogramSeries(stored, start, end, width * 60_000);
    },
  },
  PatternUpdate: {
    id: (u) => encodePatternId(u),
    kind: (u) => (u.kind === 'new' ? 'NEW' : 'COUNT'),
  },
  LogConnection: {
    patterns: (conn, { first }) => clusterPage(conn.edges.map((e) => e.event), checkFirst(first, 20)),
  },
  Query: {
    patterns: async (_p, { filter, orderBy, first }, ctx) => {
      const found = await patternsOf(ctx).store.list(toQuery(filter, orderBy ?? 'COUNT', checkFirst(first, 50)));
      return found.filter((r) => mayRead(ctx, r.domain, r.app));
    },
    pattern: async (_p, { id }, ctx) => (await findPattern(ctx, id)) ?? null,
  },
  Mutation: {
    annotatePattern: async (_p, { id, label, cause, advice }, ctx) => {
      const text = { label: annotationText('label', label), cause: annotationText('cause', cause), advice: annotationText('advice', advice) };
      if (!text.label && !text.cause && !text.advice) throw badInput('annotatePattern: give at least one of label, cause, advice');
      const found = await findPattern(ctx, id);
      if (!found) throw new LogfedError('NOT_FOUND', `no pattern ${JSON.stringify(id)} (patterns are listed by the patterns query)`);
      const annotation = { ...Object.fromEntries(Object.entries(text).filter(([, v]) => v !== undefined)), author: ctx.user, at: Date.now() };
      const saved = await patternsOf(ctx).store.annotate(found.domain, found.app, found.patternId, annotation);
      if (!saved) throw new LogfedError('NOT_FOUND', `pattern ${JSON.stringify(id)} is no longer stored`);
      return saved;
    },
  },
  Subscription: {
    patterns: {
      subscribe: async function* (_p, { filter }, ctx) {
        const match = compileUpdateFilter(filter);
        const feed = patternsOf(ctx).feed;
        for await (const batch of feed.subscribe((u) => match(u) && mayRead(ctx, u.domain, u.app), ctx.signal)) yield { patterns: batch };
      },
    },
  },
};
