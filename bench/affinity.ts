// Affinity-ranked batches on a simulated organisation (seed 001 §2.2.4): 1,000 apps in 3 domains,
// each app its own logstore, apps calling 2–5 others; 200 users, each with a home app whose
// neighbourhood (the apps within two calls of it) their queries touch, and a few habitual call
// paths from it. 10,000 queries (70 % naming apps of the neighbourhood, 30 % keyword-only: a
// keyword hits the apps along a call path from the home app, a habitual one or, one time in four,
// a fresh one) are replayed through the real ranking and training against the Redis store,
// judging each keyword query against the apps it really matched. Prints:
// - hit_rate: share of keyword queries after warm-up whose matched apps all sit in batch 1;
//   baselines: the no-history default order, and ranking by user→app alone (no app↔app fill);
// - first_page_ratio: wall time of a keyword query's first page through the real engine (rank
//   step on Redis, simulated 150 ms logstores) over one logstore's latency; baseline: strategy ALL;
// - rank_ms: the rank step's median cost for one query over 1,000 candidate apps.
// `npm run bench -- affinity` (needs Redis: LOGFED_REDIS_URL, default redis://127.0.0.1:6379).

import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { Redis } from 'ioredis';
import { defaultAppOrder, rankApps } from '../src/affinity/rank.js';
import { createRedisAffinityStore } from '../src/affinity/redis-store.js';
import { appKey, type AppRef } from '../src/affinity/store.js';
import { trainFromQuery } from '../src/affinity/train.js';
import { createQueryEngine } from '../src/query/chain.js';
import { normaliseInput } from '../src/query/normalise.js';
import { createAffinityRank } from '../src/query/rank.js';
import { DEFAULT_LIMITS, type PlannedTarget, type QueryContext, type SearchInput } from '../src/query/request.js';
import type { Logstore } from '../src/topology/types.js';
import { prng } from '../test/adapter-contract/dataset.js';
import { dropPrefix } from '../test/helpers/redis.js';
import { createSimAdapter } from './_sim-adapter.js';
import { median, quantile } from './_stats.js';

const APPS = 1000;
const DOMAINS = ['trade', 'pay', 'logistics'];
const USERS = 200;
const QUERIES = Number(process.env.BENCH_QUERIES ?? 10_000);
const WARMUP = Math.floor(QUERIES / 5);
const NAMED_SHARE = 0.7;
/** Keyword queries that follow a fresh call path from the home app rather than a habitual one. */
const FRESH_SHARE = 0.25;
const BATCH = 30;
const USER_TOP = 15;
const HALF_LIFE_MS = 30 * 24 * 3600_000;
/** Simulated time between two queries of the organisation: 10,000 queries span about 35 days. */
const STEP_MS = 5 * 60_000;
const LATENCY_MS = 150;
const TIMED = Number(process.env.BENCH_TIMED ?? 20);
const TIMED_ALL = 5;
const RANK_RUNS = 500;
const REDIS_URL = process.env.LOGFED_REDIS_URL ?? 'redis://127.0.0.1:6379';
const NOW = Date.parse('2024-03-01T12:00:00Z');
const SPAN = 3600_000;

const rand = prng(20240301);
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const fmt = (x: number, d = 3) => x.toFixed(d);

// --- the organisation: apps, who calls whom, users and their habits -------------------------
const apps: AppRef[] = Array.from({ length: APPS }, (_, i) => ({ domain: DOMAINS[i % DOMAINS.length]!, app: `app${String(i).padStart(4, '0')}` }));
const byDomain = DOMAINS.map((_, d) => apps.map((_, i) => i).filter((i) => i % DOMAINS.length === d));
// Mostly within the domain; one call in seven crosses into another (a gateway).
const calls: number[][] = apps.map((_, i) => {
  const out = new Set<number>();
  const n = int(2, 5);
  while (out.size < n) {
    const j = rand() < 6 / 7 ? pick(byDomain[i % DOMAINS.length]!) : int(0, APPS - 1);
    if (j !== i) out.add(j);
  }
  return [...out];
});

/** A call path from `start`: each hop to an app the previous one calls, no app twice. */
function callPath(start: number, length: number): number[] {
  const path = [start];
  while (path.length < length) {
    const next = calls[path[path.length - 1]!]!.filter((j) => !path.includes(j));
    if (!next.length) break;
    path.push(pick(next));
  }
  return path;
}

interface User {
  id: string;
  home: number;
  /** The apps within two calls of the home app (home included). */
  neighbourhood: number[];
  /** The business flows this user chases: call paths from the home app. */
  flows: number[][];
}

const users: User[] = Array.from({ length: USERS }, (_, u) => {
  const home = int(0, APPS - 1);
  const near = calls[home]!;
  const neighbourhood = [...new Set([home, ...near, ...near.flatMap((j) => calls[j]!)])];
  const flows = Array.from({ length: int(2, 4) }, () => callPath(home, int(2, 3)));
  return { id: `user${u}`, home, neighbourhood, flows };
});

interface Query {
  user: User;
  /** Apps the query names. */
  named?: number[];
  /** Apps a keyword-only query's keyword really matches: the ground truth. */
  matched?: number[];
}

const queries: Query[] = Array.from({ length: QUERIES }, () => {
  const user = pick(users);
  if (rand() < NAMED_SHARE) {
    const named = new Set([rand() < 0.5 ? user.home : pick(user.neighbourhood)]);
    if (rand() < 0.3) named.add(pick(user.neighbourhood));
    return { user, named: [...named] };
  }
  const matched = rand() < FRESH_SHARE ? callPath(user.home, int(2, 3)) : pick(user.flows);
  return { user, matched };
});

// --- Redis ------------------------------------------------------------------------------------
const client = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
try {
  await client.ping();
} catch (err) {
  console.error(`Redis at ${REDIS_URL} does not answer (${(err as Error).message}); run \`npm run services\``);
  process.exit(1);
}
const keyPrefix = `logfed-bench:affinity:${randomBytes(4).toString('hex')}:`;
let clock = NOW - QUERIES * STEP_MS;
const store = createRedisAffinityStore(client, { keyPrefix, halfLifeMs: HALF_LIFE_MS, now: () => clock });

try {
  console.log(
    `affinity: ${APPS} apps in ${DOMAINS.length} domains (2–5 calls each), ${USERS} users, ${QUERIES} queries ` +
      `(${Math.round(NAMED_SHARE * 100)} % naming apps, ${Math.round((1 - NAMED_SHARE) * 100)} % keyword-only), Redis store, batch ${BATCH} (${USER_TOP} by user→app), half-life 30 days`,
  );

  // --- replay: the real ranking and training against Redis, judged on the ground truth --------
  const ref = (i: number) => apps[i]!;
  const defaultBatch1 = new Set(defaultAppOrder(apps).slice(0, BATCH).map(appKey));
  const within = (batch: Set<string>, matched: number[]) => matched.every((i) => batch.has(appKey(ref(i))));
  let judged = 0;
  let hits = 0;
  let baselineHits = 0;
  let userOnlyHits = 0;
  let fellBack = 0;
  const t0 = performance.now();
  for (let q = 0; q < queries.length; q++) {
    clock += STEP_MS;
    const { user, named, matched } = queries[q]!;
    if (named) {
      // The rank step does not read the store for a query whose apps fit in one batch.
      await trainFromQuery(store, { user: user.id, namedApps: named.map(ref), resultApps: [] });
      continue;
    }
    const { batches, usedAffinity } = await rankApps({ user: user.id, candidates: apps, store, batchSize: BATCH, userTop: USER_TOP });
    if (q >= WARMUP) {
      judged++;
      if (!usedAffinity) fellBack++;
      if (within(new Set(batches[0]!.map(appKey)), matched!)) hits++;
      if (within(defaultBatch1, matched!)) baselineHits++;
      const userOnly = await rankApps({ user: user.id, candidates: apps, store, batchSize: BATCH, userTop: BATCH });
      if (within(new Set(userOnly.batches[0]!.map(appKey)), matched!)) userOnlyHits++;
    }
    // As the after-hook trains: one result set per page, and a page covers one batch.
    const batchOf = new Map(batches.flatMap((b, i) => b.map((a) => [appKey(a), i] as const)));
    const pages = new Map<number, AppRef[]>();
    for (const i of matched!) {
      const b = batchOf.get(appKey(ref(i)))!;
      pages.set(b, [...(pages.get(b) ?? []), ref(i)]);
    }
    for (const b of [...pages.keys()].sort((x, y) => x - y)) await trainFromQuery(store, { user: user.id, namedApps: [], resultApps: pages.get(b)! });
  }
  const replayMs = performance.now() - t0;
  const hitRate = hits / judged;
  console.log(`replay                 ${fmt(replayMs / 1000, 1)} s for ${QUERIES} queries (${fmt(replayMs / QUERIES, 2)} ms per query: ranking and training on Redis)`);
  console.log(
    `batch-1 hit rate       ${fmt(hitRate)} over ${judged} keyword queries after a warm-up of ${WARMUP} queries (goal >= 0.9); ` +
      `baseline: default order ${fmt(baselineHits / judged)}, user→app alone ${fmt(userOnlyHits / judged)}; default order used ${fellBack} times`,
  );

  // --- the rank step's own cost over 1,000 candidate apps -------------------------------------
  const stores: Logstore[] = apps.map((a) => ({
    id: `${a.domain}-prod-${a.app}`,
    domain: a.domain,
    layout: 'app',
    env: 'prod',
    app: a.app,
    backend: `sls-${a.domain}`,
    location: { project: `${a.domain}-prod`, logstore: a.app },
  }));
  const targets: PlannedTarget[] = stores.map((s, rank) => ({ target: { id: s.id, logstore: s, domain: s.domain, env: s.env }, rank }));
  const rankStep = createAffinityRank({ store, batchSize: BATCH, userTop: USER_TOP });
  const rankOnly = rankStep(async () => ({ edges: [], pageInfo: { hasNextPage: false }, sources: [] }));
  const rankInput: SearchInput = { keywords: 'x', from: NOW - SPAN, to: NOW, strategy: 'affinity' };
  const rankQuery = normaliseInput(rankInput, DEFAULT_LIMITS, NOW);
  const rankCtx = (user: string): QueryContext => ({ topology: {} as never, adapters: () => undefined, user });
  const rankMs: number[] = [];
  let cpu0 = process.cpuUsage();
  for (let i = 0; i < RANK_RUNS + 50; i++) {
    if (i === 50) cpu0 = process.cpuUsage(); // the first runs warm the JIT
    const ctx = rankCtx(pick(users).id);
    const started = performance.now();
    await rankOnly(ctx, { input: rankInput, limits: DEFAULT_LIMITS, query: rankQuery, targets });
    if (i >= 50) rankMs.push(performance.now() - started);
  }
  const cpu = process.cpuUsage(cpu0);
  const rankMedian = median(rankMs);
  console.log(
    `rank step              median ${fmt(rankMedian)} ms, p90 ${fmt(quantile(rankMs, 0.9))} ms wall per query over ${APPS} candidate apps (goal < 1), ` +
      `gateway cpu ${fmt((cpu.user + cpu.system) / 1000 / RANK_RUNS)} ms; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cpus`,
  );

  // --- the first page through the real engine, simulated 150 ms logstores ---------------------
  const keywordQueries = queries.map((q, i) => ({ ...q, i })).filter((q) => q.matched && q.i >= WARMUP);
  const timed = Array.from({ length: Math.min(TIMED, keywordQueries.length) }, (_, k) => keywordQueries[Math.floor((k * keywordQueries.length) / TIMED)]!);
  const planted = new Map<string, Array<{ ts: number; message: string }>>();
  timed.forEach((q, k) => {
    for (const i of q.matched!) {
      const id = `${ref(i).domain}-prod-${ref(i).app}`;
      const rows = Array.from({ length: 3 }, () => ({ ts: NOW - 1 - int(0, SPAN - 1), message: `order kw${k}x settled on ${ref(i).app}` }));
      planted.set(id, [...(planted.get(id) ?? []), ...rows]);
    }
  });
  const sim = createSimAdapter(stores, { latencyMs: LATENCY_MS, rowsPerStore: 100, now: NOW, spanMs: SPAN, plant: (s) => planted.get(s.id) ?? [] });
  const engine = createQueryEngine({ now: () => NOW, rank: rankStep });
  const topology = { domainNames: async () => DOMAINS, logstoresByDomains: async (ds: readonly string[]) => stores.filter((s) => ds.includes(s.domain)) };
  const firstPage = async (k: number, user: string, strategy: 'affinity' | 'all') => {
    const started = performance.now();
    const r = await engine.search({ topology, adapters: () => sim, user }, { keywords: `kw${k}x`, from: NOW - SPAN, to: NOW, first: 100, strategy });
    for (const e of r.edges) void e.cursor; // as the resolver does when a client selects cursors
    return { ms: performance.now() - started, rows: r.edges.length };
  };
  await firstPage(0, timed[0]!.user.id, 'affinity'); // warm-up: JIT, first-use allocations
  const affinityMs: number[] = [];
  let complete = 0;
  for (const [k, q] of timed.entries()) {
    const { ms, rows } = await firstPage(k, q.user.id, 'affinity');
    affinityMs.push(ms);
    if (rows === q.matched!.length * 3) complete++;
  }
  const allMs: number[] = [];
  for (const [k, q] of timed.slice(0, TIMED_ALL).entries()) allMs.push((await firstPage(k, q.user.id, 'all')).ms);
  const firstRatio = median(affinityMs) / LATENCY_MS;
  const allRatio = median(allMs) / LATENCY_MS;
  console.log(
    `first page             affinity median ${fmt(median(affinityMs), 0)} ms = ${fmt(firstRatio)} × ${LATENCY_MS} ms (goal <= 1.3), ` +
      `${complete}/${timed.length} answered in full by batch 1; strategy ALL median ${fmt(median(allMs), 0)} ms = ${fmt(allRatio)} × ${LATENCY_MS} ms; ` +
      `affinity / ALL ${fmt(median(affinityMs) / median(allMs))}`,
  );
  console.log(`bench affinity: hit_rate=${fmt(hitRate)} first_page_ratio=${fmt(firstRatio)} rank_ms=${fmt(rankMedian)}`);
} finally {
  await dropPrefix(client, keyPrefix);
  await client.quit();
}
