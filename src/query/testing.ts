// Fakes for the query engine's tests: an in-memory adapter whose capabilities, latency and
// failures each test controls, a topology reader over a list of logstores, and event builders.
// Not used by the engine itself.

import type { LogEvent } from '../core/event.js';
import type { App, Logstore } from '../topology/types.js';
import { compileFilter } from './match.js';
import type { TopologyReader } from './request.js';
import type { Adapter, AdapterCapabilities, Hit, SearchPage, SearchRequest } from './types.js';

export const ALL_PUSHDOWN: AdapterCapabilities = {
  pushdown: { keywords: true, levels: true, traceId: true, regex: true, appFile: true },
  sorts: true,
  pages: true,
};

export const NO_PUSHDOWN: AdapterCapabilities = {
  pushdown: { keywords: false, levels: false, traceId: false, regex: false, appFile: false },
  sorts: true,
  pages: true,
};

interface Row {
  event: LogEvent;
  seq: number;
}

export interface FakeAdapterOptions {
  capabilities?: AdapterCapabilities;
  /** Awaited before answering; a test resolves it to let the call finish. */
  gate?: (req: SearchRequest) => Promise<void> | void;
  /** An error to throw for this call instead of answering. */
  fail?: (req: SearchRequest, call: number) => Error | undefined;
  /** Honour the abort signal (reject with its reason); off simulates a driver that ignores it. */
  honoursSignal?: boolean;
  /** Largest page the backend returns whatever the limit (a backend page-size cap). */
  maxPage?: number;
}

/**
 * Stores events per logstore id. Positions are `ts:seq`, compared by key, so a page resumes
 * correctly while events are appended. Applies the pushed-down filter parts with the same
 * compileFilter the gateway uses, and lies (returns unfiltered rows) about the rest, as a
 * backend that cannot filter would.
 */
export class FakeAdapter implements Adapter {
  readonly kind = 'fake';
  readonly capabilities: AdapterCapabilities;
  readonly calls: SearchRequest[] = [];
  private readonly rows = new Map<string, Row[]>();
  private seq = 0;

  constructor(private readonly opts: FakeAdapterOptions = {}) {
    this.capabilities = opts.capabilities ?? ALL_PUSHDOWN;
  }

  add(logstoreId: string, events: LogEvent[]): this {
    const list = this.rows.get(logstoreId) ?? [];
    for (const event of events) list.push({ event, seq: this.seq++ });
    this.rows.set(logstoreId, list);
    return this;
  }

  async search(req: SearchRequest): Promise<SearchPage> {
    const call = this.calls.push(req) - 1;
    const wait = this.opts.gate?.(req);
    if (wait) await (this.opts.honoursSignal === false ? wait : raceSignal(wait, req.signal));
    if (this.opts.honoursSignal !== false) req.signal.throwIfAborted();
    const err = this.opts.fail?.(req, call);
    if (err) throw err;
    return this.answer(req);
  }

  private answer(req: SearchRequest): SearchPage {
    const { pushdown, sorts, pages } = this.capabilities;
    const pushed = compileFilter(req.filter, {
      keywords: !pushdown.keywords,
      levels: !pushdown.levels,
      traceId: !pushdown.traceId,
      regex: !pushdown.regex,
    });
    const { apps, files } = req.target;
    let rows = (this.rows.get(req.target.logstore.id) ?? []).filter(
      (r) =>
        pushed(r.event) &&
        (!pushdown.appFile || ((!apps || apps.includes(r.event.app)) && (!files || files.includes(r.event.file)))),
    );
    // A backend that sorts pages by (ts, seq) in the order asked; one that does not scans, and
    // pages, in an order of its own.
    const dir = req.order === 'desc' ? -1 : 1;
    const keyOf = (ts: number, seq: number): [number, number] => (sorts ? [ts * dir, seq * dir] : [scanOrder(seq), 0]);
    const cmp = (a: [number, number], b: [number, number]) => (a[0] !== b[0] ? a[0] - b[0] : a[1] - b[1]);
    rows.sort((a, b) => cmp(keyOf(a.event.ts, a.seq), keyOf(b.event.ts, b.seq)));
    if (pages && req.after !== undefined) {
      const [ts, seq] = req.after.split(':').map(Number) as [number, number];
      rows = rows.filter((r) => cmp(keyOf(r.event.ts, r.seq), keyOf(ts, seq)) > 0);
    }
    const limit = Math.min(req.limit, this.opts.maxPage ?? Infinity);
    const hits: Hit[] = rows.slice(0, limit).map((r) => ({ event: r.event, pos: `${r.event.ts}:${r.seq}` }));
    return { hits, done: rows.length <= limit };
  }
}

/** A fixed, order-destroying rank per row, standing in for the scan order of a backend that does not sort. */
function scanOrder(seq: number): number {
  return Math.imul(seq + 1, 2654435761) >>> 0;
}

function raceSignal(p: Promise<void>, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    p.then(resolve, reject);
  });
}

export function fakeTopology(stores: Logstore[], opts: { domains?: string[]; apps?: App[] } = {}): TopologyReader & { calls: number } {
  const reader = {
    calls: 0,
    async domainNames() {
      reader.calls++;
      return opts.domains ?? [...new Set(stores.map((s) => s.domain))];
    },
    async logstoresByDomains(domains: readonly string[]) {
      reader.calls++;
      return stores.filter((s) => domains.includes(s.domain));
    },
    async appsByDomains(domains: readonly string[]) {
      return (opts.apps ?? []).filter((a) => domains.includes(a.domain));
    },
  };
  return reader;
}

export function store(id: string, over: Partial<Logstore> = {}): Logstore {
  return { id, domain: 'd', layout: 'env', env: 'prod', backend: 'fake', location: {}, ...over };
}

export function ev(ts: number, over: Partial<LogEvent> = {}): LogEvent {
  return { ts, domain: 'd', env: 'prod', app: 'a', file: 'app.log', level: 'INFO', message: `m${ts}`, ...over };
}

/** A promise with its resolve and reject exposed. */
export function deferred<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
