import { describe, expect, it } from 'vitest';
import { configSchema } from './schema.js';

describe('config defaults', () => {
  it("search a whole affinity batch on one backend in one wave: per-backend concurrency is at least the batch size", () => {
    const config = configSchema.parse({});
    expect(config.query.perBackendConcurrency).toBeGreaterThanOrEqual(config.affinity.batchSize);
    expect(config.query.globalConcurrency).toBeGreaterThanOrEqual(config.query.perBackendConcurrency);
  });
});
