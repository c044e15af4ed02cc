// The `patterns.scanner` section of logfed.yaml: how often apps are scanned for new and surging
// exceptions and what counts as a surge. Checked at start with the rest of the config.

import { z } from 'zod';

export const scannerConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** One window per scan: counts of the last window are compared with the windows before. */
    intervalMinutes: z.number().int().min(1).max(24 * 60).default(10),
    /** Windows before the scanned one that make its baseline. */
    baselineWindows: z.number().int().min(1).max(1000).default(6),
    /** A known exception surges at this many times its baseline mean ... */
    surgeFactor: z.number().min(1).default(3),
    /** ... and at least this many occurrences in the window. */
    minCount: z.number().int().min(1).default(10),
    /** Occurrences a never-seen exception needs in its window to be reported. */
    newMinCount: z.number().int().min(1).default(1),
    /** Levels whose lines count as errors when they carry no stack trace. */
    levels: z.array(z.string().min(1)).default(['ERROR', 'FATAL']),
    /** Redis keys (counts, known exceptions, findings, the scan lock) start with this; replicas that scan together share it. */
    keyPrefix: z.string().min(1).default('logfed:scanner:'),
  })
  .strict();

export type ScannerConfig = z.infer<typeof scannerConfigSchema>;
