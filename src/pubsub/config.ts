// The `tail` section of logfed.yaml: how many events a slow live-tail subscriber may fall behind,
// and how replicas share live events through Redis (used only when redis is configured).

import { z } from 'zod';

export const tailConfigSchema = z
  .object({
    /** Events queued per subscriber before its oldest are dropped (and counted). */
    capacity: z.number().int().min(1).max(100_000).default(1_000),
    /** The Redis channel replicas of one gateway share live events on. */
    channel: z.string().min(1).max(256).default('logfed:tail'),
    /** Events are sent to Redis in batches: after this long, or at maxBatch events or ~1 MB. */
    flushMs: z.number().int().min(1).max(5_000).default(50),
    maxBatch: z.number().int().min(1).max(10_000).default(500),
  })
  .strict();

export type TailConfig = z.output<typeof tailConfigSchema>;
