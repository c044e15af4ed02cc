// The `patterns` section of logfed.yaml: live mining of every event into patterns per
// (domain, app), where they are kept (MySQL when configured, else memory) and for how long,
// and the exception scanner. Checked at start with the rest of the config.

import { z } from 'zod';
import { scannerConfigSchema } from '../scanner/config.js';

export const patternsConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** How often counts go to subscribers and the store: at most one update per pattern per flush. */
    flushMs: z.number().int().min(100).max(60_000).default(1_000),
    /** How often each app's miner is saved, so a restart resumes from it (also saved at shutdown). */
    snapshotSeconds: z.number().int().min(1).max(86_400).default(60),
    /** Patterns one app's miner keeps; past it the least recently hit are dropped. */
    maxPatternsPerApp: z.number().int().min(10).max(1_000_000).default(5_000),
    /** Distinct raw samples kept per pattern. */
    maxSamples: z.number().int().min(1).max(100).default(5),
    /** Width of a histogram bucket in the stored history. */
    bucketSeconds: z.number().int().min(1).max(86_400).default(60),
    /** History kept for the histograms. */
    historyDays: z.number().positive().max(366).default(7),
    scanner: scannerConfigSchema.default({}),
  })
  .strict();

export type PatternsConfig = z.infer<typeof patternsConfigSchema>;
