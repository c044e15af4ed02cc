// The loki adapter's config (endpoint, tenant, how long one query may span) and the location of
// one logstore: a LogQL stream selector, whether it may be tailed live, and which stream labels
// carry app, file, level, host and trace id. Checked when built and when first searched.

import { z } from 'zod';

const labelName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a label name ([A-Za-z_][A-Za-z0-9_]*)');

export const LokiConfigSchema = z
  .object({
    url: z.string().url(),
    /** Sent as X-Scope-OrgID to a multi-tenant Loki. */
    tenant: z.string().min(1).optional(),
    /** A longer range is walked in chunks of this many hours, newest or oldest first (Loki's max_query_length). */
    maxRangeHours: z.number().positive().max(24 * 366).default(24),
    timeoutMs: z.number().int().min(100).max(600_000).default(30_000),
    /** The server's max_entries_limit_per_query: the most lines one request may ask for. */
    maxEntries: z.number().int().min(10).max(1_000_000).default(5000),
  })
  .strict();

export type LokiAdapterConfig = z.input<typeof LokiConfigSchema>;
export type LokiConfig = z.output<typeof LokiConfigSchema>;

export const LABEL_ROLES = ['app', 'file', 'level', 'host', 'traceId'] as const;
export type LabelRole = (typeof LABEL_ROLES)[number];

export const LokiLocationSchema = z
  .object({
    /** A LogQL stream selector such as {app="cart",env="prod"}; filters are added by the adapter. */
    selector: z.string().regex(/^\{[\s\S]*\S[\s\S]*\}$/, 'expected a LogQL stream selector such as {app="cart",env="prod"}'),
    /** Lets live views follow this logstore through Loki's tail endpoint. */
    tail: z.boolean().default(false),
    /** The labels (stream labels or structured metadata) that carry these event fields. */
    labels: z
      .object(Object.fromEntries(LABEL_ROLES.map((r) => [r, labelName.optional()])) as Record<LabelRole, z.ZodOptional<typeof labelName>>)
      .strict()
      .default({}),
  })
  .strict();

export type LokiLocation = z.input<typeof LokiLocationSchema>;
export type ParsedLokiLocation = z.output<typeof LokiLocationSchema>;
