// A simulated backend for the fan-out benchmark: every logstore holds pre-generated, realistic
// events (logback lines with trace ids, hosts, levels, a few fields), and every search answers
// after a fixed latency, as an SLS or OpenSearch call would. It pushes everything down, sorts
// and pages, so the gateway's own work is what the benchmark measures.

import type { LogEvent } from '../src/core/event.js';
import { compileFilter } from '../src/query/match.js';
import type { Adapter, Hit, SearchPage, SearchRequest } from '../src/query/types.js';
import type { Logstore } from '../src/topology/types.js';
import { prng } from '../test/adapter-contract/dataset.js';

export interface SimOptions {
  latencyMs: number;
  rowsPerStore: number;
  /** Events are spread over [now - spanMs, now). */
  now: number;
  spanMs: number;
  seed?: number;
  /** Rows a logstore holds beyond the generated ones: a keyword along a call path, say. */
  plant?: (store: Logstore) => Array<{ ts: number; message: string }>;
}

const LEVELS = ['INFO', 'INFO', 'INFO', 'INFO', 'DEBUG', 'WARN', 'ERROR'];
const LOGGERS = ['c.a.s.order.OrderService', 'c.a.s.pay.PayFacade', 'c.a.s.item.ItemRepo', 'o.s.web.servlet.DispatcherServlet', 'c.a.s.rpc.HsfConsumer'];
const ACTIONS = [
  (r: () => number) => `create order ok orderId=${20_000_000 + Math.floor(r() * 9_999_999)} buyer=${Math.floor(r() * 1e6)} amount=${(r() * 500).toFixed(2)}`,
  (r: () => number) => `invoke com.alibaba.saas.ItemService:query cost=${Math.floor(r() * 300)}ms result=success`,
  (r: () => number) => `cache miss key=item:${Math.floor(r() * 1e5)} fallback to db`,
  (r: () => number) => `pay callback received tradeNo=T${Math.floor(r() * 1e12)} status=SUCCESS`,
  (r: () => number) => `timeout calling downstream after ${1000 + Math.floor(r() * 2000)}ms, retry 1/3`,
];

function generate(store: Logstore, opts: SimOptions, rand: () => number): Hit[] {
  const events: LogEvent[] = [];
  for (let i = 0; i < opts.rowsPerStore; i++) {
    const ts = opts.now - 1 - Math.floor(rand() * opts.spanMs);
    const level = LEVELS[Math.floor(rand() * LEVELS.length)]!;
    const traceId = `0b${Math.floor(rand() * 0xffffffff).toString(16).padStart(8, '0')}${ts.toString(16)}`;
    const thread = `HSFBizProcessor-DEFAULT-12-thread-${Math.floor(rand() * 200)}`;
    const logger = LOGGERS[Math.floor(rand() * LOGGERS.length)]!;
    const body = ACTIONS[Math.floor(rand() * ACTIONS.length)]!(rand);
    events.push({
      ts,
      domain: store.domain,
      env: store.env,
      app: store.app ?? 'unknown',
      file: store.file ?? 'app.log',
      host: `10.${Math.floor(rand() * 255)}.${Math.floor(rand() * 255)}.${Math.floor(rand() * 255)}`,
      level,
      traceId,
      message: `${new Date(ts).toISOString().replace('T', ' ').slice(0, 23)} ${level.padStart(5)} 4242 --- [${thread}] [${traceId}] ${logger}-${Math.floor(rand() * 400)} : ${body}`,
      fields: { thread, logger },
    });
  }
  for (const p of opts.plant?.(store) ?? []) {
    events.push({ ts: p.ts, domain: store.domain, env: store.env, app: store.app ?? 'unknown', file: store.file ?? 'app.log', level: 'INFO', message: p.message });
  }
  events.sort((a, b) => b.ts - a.ts);
  return events.map((event, i) => ({ event, pos: String(i) }));
}

/**
 * One adapter serving many logstores, as one backend instance does. Rows are kept newest first;
 * a position is the row's index in that order.
 */
export function createSimAdapter(stores: Logstore[], opts: SimOptions): Adapter & { calls: number } {
  const rand = prng(opts.seed ?? 42);
  const data = new Map(stores.map((s) => [s.id, generate(s, opts, rand)]));
  const sim = {
    kind: 'sim',
    calls: 0,
    capabilities: { pushdown: { keywords: true, levels: true, traceId: true, regex: true, appFile: true }, sorts: true, pages: true },
    search(req: SearchRequest): Promise<SearchPage> {
      sim.calls++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          req.signal.removeEventListener('abort', onAbort);
          resolve(answer(data.get(req.target.logstore.id) ?? [], req));
        }, opts.latencyMs);
        const onAbort = () => {
          clearTimeout(timer);
          reject(req.signal.reason);
        };
        req.signal.addEventListener('abort', onAbort, { once: true });
      });
    },
  };
  return sim;
}

function answer(rows: Hit[], req: SearchRequest): SearchPage {
  const f = req.filter;
  const plain = !f.keywords.include.length && !f.keywords.exclude.length && !f.levels?.length && f.traceId === undefined && f.regex === undefined;
  const keep = plain ? (h: Hit) => h.event.ts >= f.from && h.event.ts < f.to : ((m) => (h: Hit) => m(h.event))(compileFilter(f));
  const list = req.order === 'desc' ? rows : [...rows].reverse();
  const start = req.after === undefined ? 0 : list.findIndex((h) => h.pos === req.after) + 1;
  const hits: Hit[] = [];
  let i = start;
  for (; i < list.length && hits.length < req.limit; i++) if (keep(list[i]!)) hits.push(list[i]!);
  while (i < list.length && !keep(list[i]!)) i++;
  return { hits, done: i >= list.length };
}
