// The seed's case for concurrent fan-out: one query over 1,000 logstores, each answering after
// 150 ms with 100 realistic rows, through the real plan / fan-out / merge of the query engine.
// Prints the wall time against the ideal ceil(1000 / concurrency) × 150 ms, the gateway CPU per
// target response, and peak RSS; baselines in the same run: the ideal, a bare Promise.all of the
// simulated adapters, and a bare p-limit at the same concurrency. `npm run bench -- fanout`.

import pLimit from 'p-limit';
import { createQueryEngine } from '../src/query/chain.js';
import type { QueryContext, SearchResult } from '../src/query/request.js';
import type { SearchRequest } from '../src/query/types.js';
import type { Logstore } from '../src/topology/types.js';
import { createSimAdapter } from './_sim-adapter.js';
import { median } from './_stats.js';

const STORES = Number(process.env.BENCH_STORES ?? 1000);
const LATENCY_MS = 150;
const ROWS = 100;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 100);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const NOW = Date.parse('2024-03-01T12:00:00Z');
const SPAN = 3600_000;

const stores: Logstore[] = Array.from({ length: STORES }, (_, i) => ({
  id: `saas-prod-app${String(i).padStart(4, '0')}`,
  domain: 'saas',
  layout: 'app',
  env: 'prod',
  app: `app${String(i).padStart(4, '0')}`,
  backend: 'sls',
  location: { project: 'saas-prod', logstore: `app${i}` },
}));
const sim = createSimAdapter(stores, { latencyMs: LATENCY_MS, rowsPerStore: ROWS, now: NOW, spanMs: SPAN });
const ctx: QueryContext = {
  topology: { domainNames: async () => ['saas'], logstoresByDomains: async () => stores },
  adapters: (b) => (b === 'sls' ? sim : undefined),
};
const input = { domains: ['saas'], envs: ['prod'], from: NOW - SPAN, to: NOW, first: 100 };
const ideal = Math.ceil(STORES / CONCURRENCY) * LATENCY_MS;

interface Sample {
  wallMs: number;
  cpuMs: number;
}

async function measure(run: () => Promise<unknown>): Promise<Sample> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await run();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

const fmt = (x: number, d = 2) => x.toFixed(d);

function rawRequest(s: Logstore): SearchRequest {
  return {
    target: { id: s.id, logstore: s, domain: s.domain, env: s.env },
    filter: { from: input.from, to: input.to, keywords: { include: [], exclude: [] } },
    order: 'desc',
    limit: 100,
    signal: new AbortController().signal,
  };
}

function check(r: SearchResult): void {
  const ok = r.sources.filter((s) => s.status === 'OK').length;
  const ts = r.edges.map((e) => e.event.ts);
  if (r.edges.length !== 100 || ok !== STORES || ts.some((t, i) => i > 0 && t > ts[i - 1]!)) {
    throw new Error(`unexpected answer: ${r.edges.length} edges, ${ok}/${STORES} sources OK`);
  }
}

async function series(name: string, run: () => Promise<unknown>): Promise<Sample> {
  await run(); // warm-up: JIT, first-use allocations
  const samples: Sample[] = [];
  for (let i = 0; i < RUNS; i++) samples.push(await measure(run));
  const s = { wallMs: median(samples.map((x) => x.wallMs)), cpuMs: median(samples.map((x) => x.cpuMs)) };
  console.log(
    `${name.padEnd(34)} wall ${fmt(s.wallMs, 0).padStart(6)} ms   cpu ${fmt(s.cpuMs, 1).padStart(7)} ms   cpu/target ${fmt(s.cpuMs / STORES, 3)} ms   (runs: ${samples.map((x) => fmt(x.wallMs, 0)).join(', ')})`,
  );
  return s;
}

console.log(`fanout: ${STORES} logstores × ${ROWS} rows, ${LATENCY_MS} ms each, global concurrency ${CONCURRENCY}, median of ${RUNS} runs`);
console.log(`ideal                              wall ${fmt(ideal, 0).padStart(6)} ms   = ceil(${STORES}/${CONCURRENCY}) × ${LATENCY_MS} ms`);

await series('baseline: Promise.all, unlimited', () => Promise.all(stores.map((s) => sim.search(rawRequest(s)))));
const limit = pLimit(CONCURRENCY);
const bare = await series(`baseline: p-limit(${CONCURRENCY}), no engine`, () => Promise.all(stores.map((s) => limit(() => sim.search(rawRequest(s))))));

const engine = createQueryEngine({ concurrency: CONCURRENCY, backendConcurrency: CONCURRENCY, now: () => NOW });
const eng = await series('engine: plan + fan-out + merge', async () => {
  const r = await engine.search(ctx, input);
  check(r);
  // As the GraphQL resolver does: every edge's cursor is read.
  for (const e of r.edges) void e.cursor;
});

const ratio = eng.wallMs / ideal;
const cpuPerTarget = eng.cpuMs / STORES;
const rssMb = process.resourceUsage().maxRSS / 1024;
console.log(
  `engine vs ideal ${fmt(ratio, 3)} (goal <= 1.15); engine vs bare p-limit ${fmt(eng.wallMs / bare.wallMs, 3)}; ` +
    `gateway cpu per target ${fmt(cpuPerTarget, 3)} ms (goal <= 0.2), of which the bare calls take ${fmt(bare.cpuMs / STORES, 3)} ms; peak RSS ${fmt(rssMb, 0)} MB`,
);
console.log(`bench fanout: ratio=${fmt(ratio, 3)} cpu_ms_per_target=${fmt(cpuPerTarget, 3)} rss_mb=${fmt(rssMb, 0)}`);
