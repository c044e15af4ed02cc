// The opensearch adapter against the real OpenSearch node that scripts/services.sh runs: the
// adapter contract twice (flat default fields with an exact keyword field and _id as tiebreak;
// nested, renamed fields with date_nanos, lower-case levels, two shards, whole-word keyword
// narrowing and a configured tiebreak), then shard failures, error mapping and time bounds.
// Every index is unique to the run and deleted after it.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogEvent } from '../../src/core/event.js';
import type { Target } from '../../src/query/types.js';
import { createOpensearchAdapter, type OpensearchAdapterConfig } from '../../adapters/opensearch/index.js';
import { defineAdapterContract, type AdapterHarness, type SeedOptions } from '../adapter-contract/index.js';
import { makeDataset, prng } from '../adapter-contract/dataset.js';
import { request, toFilter } from '../adapter-contract/check.js';

const URL_ = process.env.LOGFED_OPENSEARCH_URL ?? 'http://127.0.0.1:9200';
const RUN = `logfed-it-${process.pid}-${Date.now().toString(36)}`;

async function os(method: string, path: string, body?: unknown, ndjson = false): Promise<any> {
  const res = await fetch(`${URL_}${path}`, {
    method,
    headers: { 'content-type': ndjson ? 'application/x-ndjson' : 'application/json' },
    ...(body === undefined ? {} : { body: ndjson ? (body as string) : JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`OpenSearch ${method} ${path}: ${res.status} ${text.slice(0, 500)} (is it running? npm run services)`);
  return text ? JSON.parse(text) : undefined;
}

async function bulk(index: string, docs: Array<Record<string, unknown>>): Promise<void> {
  const lines = docs.flatMap((d) => [JSON.stringify({ index: { _index: index } }), JSON.stringify(d)]).join('\n') + '\n';
  const res = await os('POST', '/_bulk?refresh=true', lines, true);
  if (res.errors) throw new Error(`bulk into ${index} failed: ${JSON.stringify(res.items.find((i: any) => i.index.error)).slice(0, 500)}`);
}

function shuffled<T>(xs: T[]): T[] {
  const r = prng(xs.length + 11);
  return xs.map((x) => [r(), x] as const).sort((a, b) => a[0] - b[0]).map(([, x]) => x);
}

interface Variant {
  name: string;
  config: Omit<OpensearchAdapterConfig, 'url'>;
  settings: Record<string, unknown>;
  mappings: Record<string, unknown>;
  doc: (e: LogEvent, seq: number) => Record<string, unknown>;
}

const flat: Variant = {
  name: 'flat default fields, exact keyword field, _id tiebreak',
  config: { keywordField: 'message.raw' },
  settings: { number_of_shards: 1, number_of_replicas: 0 },
  mappings: {
    dynamic: 'strict',
    properties: {
      '@timestamp': { type: 'date' },
      level: { type: 'keyword' },
      // The whole message as one keyword: Lucene's term limit is 32766 bytes, far above the dataset's.
      message: { type: 'text', fields: { raw: { type: 'keyword', ignore_above: 8191 } } },
      app: { type: 'keyword' },
      file: { type: 'keyword' },
      host: { type: 'keyword' },
      traceId: { type: 'keyword' },
    },
  },
  doc: (e) => ({
    '@timestamp': new Date(e.ts).toISOString(),
    level: e.level,
    message: e.message,
    app: e.app,
    file: e.file,
    ...(e.traceId ? { traceId: e.traceId } : {}),
  }),
};

const nested: Variant = {
  name: 'nested renamed fields, date_nanos, two shards, whole-word narrowing, configured tiebreak',
  config: {
    fields: { ts: 'event.created', level: 'log.level', message: 'msg', app: 'service.name', file: 'log.file.path', traceId: 'trace.id', env: 'service.environment' },
    tiebreak: 'event.id',
  },
  settings: { number_of_shards: 2, number_of_replicas: 0 },
  mappings: {
    properties: {
      event: { properties: { created: { type: 'date_nanos' }, id: { type: 'keyword' } } },
      log: { properties: { level: { type: 'keyword' }, file: { properties: { path: { type: 'keyword' } } } } },
      msg: { type: 'text' },
      service: { properties: { name: { type: 'keyword' }, environment: { type: 'keyword' } } },
      trace: { properties: { id: { type: 'keyword' } } },
    },
  },
  // Lower-case levels, as many loggers write them: the adapter normalises them.
  doc: (e, seq) => ({
    event: { created: new Date(e.ts).toISOString().replace('Z', '123456Z'), id: `${RUN}-${String(seq).padStart(6, '0')}` },
    log: { level: e.level?.toLowerCase(), file: { path: e.file } },
    msg: e.message,
    service: { name: e.app, environment: e.env },
    ...(e.traceId ? { trace: { id: e.traceId } } : {}),
  }),
};

function harness(v: Variant, slot: number): () => Promise<AdapterHarness> {
  return async () => {
    const adapter = createOpensearchAdapter({ url: URL_, ...v.config });
    const indices: string[] = [];
    let seq = 0;
    const insert = (index: string, events: LogEvent[]) => bulk(index, shuffled(events).map((e) => v.doc(e, ++seq)));
    return {
      adapter,
      async seed(events: LogEvent[], opts: SeedOptions): Promise<Target> {
        const index = `${RUN}-${slot}-${indices.length}`;
        indices.push(index);
        await os('PUT', `/${index}`, { settings: v.settings, mappings: v.mappings });
        await insert(index, events);
        const logstore = { id: index, domain: opts.domain, env: opts.env, layout: opts.layout, app: opts.app, file: opts.file, backend: 'os', location: { index } };
        return { id: index, domain: opts.domain, env: opts.env, logstore };
      },
      append: (target, events) => insert((target.logstore.location as { index: string }).index, events),
      async cleanup() {
        if (indices.length) await os('DELETE', `/${indices.join(',')}`);
        await adapter.close?.();
      },
    };
  };
}

defineAdapterContract(`opensearch (${flat.name})`, harness(flat, 1));
defineAdapterContract(`opensearch (${nested.name})`, harness(nested, 2));

describe('opensearch adapter on a real node', () => {
  const data = makeDataset();
  const from = data[0]!.ts;
  const to = data[data.length - 1]!.ts + 1;
  const adapter = createOpensearchAdapter({ url: URL_, keywordField: 'message.raw' });
  const good = `${RUN}-x-good`;
  const bad = `${RUN}-x-bad`;
  const store = (index: string) => ({ id: index, domain: 'shop', env: 'prod', layout: 'env' as const, backend: 'os', location: { index } });
  const target = (index: string): Target => ({ id: index, domain: 'shop', env: 'prod', logstore: store(index) });

  beforeAll(async () => {
    await os('PUT', `/${good}`, { settings: flat.settings, mappings: flat.mappings });
    await bulk(good, data.slice(0, 50).map((e) => flat.doc(e, 0)));
    // The same pattern also covers an index whose timestamp is text: its shards cannot sort.
    await os('PUT', `/${bad}`, { settings: { number_of_shards: 1, number_of_replicas: 0 }, mappings: { properties: { '@timestamp': { type: 'text' }, message: { type: 'text' } } } });
    await bulk(bad, [{ '@timestamp': 'yesterday', message: 'order 1' }]);
  });
  afterAll(async () => {
    await os('DELETE', `/${good},${bad}`);
    await adapter.close?.();
  });

  it('reports a search where some shards failed as the source\'s partial error, naming the index', async () => {
    const err = await adapter.search(request(target(`${RUN}-x-*`), toFilter({}, from, to), 'desc', 10)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BACKEND_ERROR', details: { partial: true, failedShards: 1, totalShards: 2 } });
    expect((err as Error).message).toMatch(/partial results: 1 of 2 shards failed \(index .*-x-bad\)/);
    // The healthy index alone answers.
    const page = await adapter.search(request(target(good), toFilter({}, from, to), 'desc', 10));
    expect(page.hits).toHaveLength(10);
  });

  it('maps a missing index to NOT_FOUND, and an unsortable field to BAD_CONFIG with a hint', async () => {
    const missing = await adapter.search(request(target(`${RUN}-nope`), toFilter({}, from, to), 'desc', 5)).catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: 'NOT_FOUND' });
    expect((missing as Error).message).toContain(`${RUN}-nope`);
    const textTie = createOpensearchAdapter({ url: URL_, tiebreak: 'message' });
    const unsortable = await textTie.search(request(target(good), toFilter({}, from, to), 'desc', 5)).catch((e: unknown) => e);
    expect(unsortable).toMatchObject({ code: 'BAD_CONFIG' });
    expect((unsortable as Error).message).toMatch(/keyword/);
    await textTie.close?.();
  });

  it('maps a refused connection to BACKEND_UNAVAILABLE, which the fan-out retries', async () => {
    const nobody = createOpensearchAdapter({ url: 'http://127.0.0.1:9', timeoutMs: 2000 });
    const err = await nobody.search(request(target(good), toFilter({}, from, to), 'desc', 5)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BACKEND_UNAVAILABLE', retriable: true });
    await nobody.close?.();
  });

  it('learns time bounds from min/max aggregations', async () => {
    const bounds = await adapter.timeBounds!(store(good), new AbortController().signal);
    const seeded = data.slice(0, 50).map((e) => e.ts);
    expect(bounds).toEqual({ minTs: Math.min(...seeded), maxTs: Math.max(...seeded) });
  });
});
