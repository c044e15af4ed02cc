// The contract checked on itself: a reference adapter that pushes nothing down passes it (so the
// gateway-side filtering of the suite is right), and the checks catch what adapters get wrong.

import { describe, expect, it } from 'vitest';
import type { Adapter, Hit } from '../../src/query/types.js';
import { checkPage, expectOrdered, expectSameEvents, request, toFilter } from './check.js';
import { DOMAIN, ENV, makeDataset } from './dataset.js';
import { defineAdapterContract } from './index.js';
import { referenceHarness } from './reference.js';

defineAdapterContract('reference (in memory, no pushdown)', async () => referenceHarness());

describe('the contract catches', () => {
  const data = makeDataset();
  const h = referenceHarness();
  const claims = (pushdown: boolean): Adapter => ({
    ...h.adapter,
    capabilities: { ...h.adapter.capabilities, pushdown: { keywords: pushdown, levels: pushdown, traceId: pushdown, regex: pushdown, appFile: pushdown } },
  });
  const filter = toFilter({ kw: 'order' }, data[0]!.ts, data[data.length - 1]!.ts + 1);

  it('hits that break a filter the adapter says it pushes down', async () => {
    const target = await h.seed(data, { layout: 'env', domain: DOMAIN, env: ENV });
    const req = request(target, filter, 'desc', 50);
    const page = await h.adapter.search(req);
    expect(() => checkPage(claims(false), req, page)).not.toThrow();
    expect(() => checkPage(claims(true), req, page)).toThrow(/breaks a filter the adapter pushes down/);
  });

  it('a page that is not done but holds nothing to resume after, or too many hits', async () => {
    const target = await h.seed(data, { layout: 'env', domain: DOMAIN, env: ENV });
    expect(() => checkPage(h.adapter, request(target, filter, 'desc', 5), { hits: [], done: false })).toThrow(/not done must hold a hit/);
    const page = await h.adapter.search(request(target, filter, 'desc', 6));
    expect(() => checkPage(h.adapter, request(target, filter, 'desc', 5), page)).toThrow(/at most `limit` hits/);
  });

  it('duplicates, gaps and disorder', async () => {
    const target = await h.seed(data, { layout: 'env', domain: DOMAIN, env: ENV });
    const page = await h.adapter.search(request(target, filter, 'asc', 1000));
    const want = page.hits.map((x) => x.event).filter((e) => e.message.includes('order'));
    const shown = (hits: Hit[]) => () => expectSameEvents(claims(true), target, filter, hits, want, 'asc');
    const matching = page.hits.filter((x) => x.event.message.includes('order'));
    expect(shown(matching)).not.toThrow();
    expect(shown(matching.slice(1))).toThrow(/same events/);
    expect(shown([...matching, matching[3]!])).toThrow(/same events/);
    expect(shown([...matching.slice(0, 4), { ...matching[4]!, pos: matching[3]!.pos }, ...matching.slice(5)])).toThrow(/no position repeats/);
    expect(() => expectOrdered([...want].reverse(), 'asc')).toThrow(/out of asc order/);
  });
});
