import { describe, expect, it } from 'vitest';
import { registry } from '../observe/metrics.js';
import { recordBatchOutcome } from './metrics.js';

const value = async (name: string) => {
  const metric = registry.getSingleMetric(name);
  return metric ? ((await metric.get()).values[0]?.value ?? 0) : 0;
};

describe('recordBatchOutcome', () => {
  it('counts every ranked query, and a hit only when all matching rows came from batch 1', async () => {
    const [hits, ranked] = [await value('logfed_affinity_batch1_hits_total'), await value('logfed_affinity_ranked_queries_total')];
    recordBatchOutcome(true);
    recordBatchOutcome(false);
    recordBatchOutcome(true);
    expect(await value('logfed_affinity_batch1_hits_total')).toBe(hits + 2);
    expect(await value('logfed_affinity_ranked_queries_total')).toBe(ranked + 3);
    expect(await registry.metrics()).toMatch(/^logfed_affinity_batch1_hits_total \d+$/m);
  });
});
