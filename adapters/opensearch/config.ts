// The opensearch adapter's config (endpoint, credentials, field names) and the location of one
// logstore (an index pattern). Checked when the adapter is built and when a logstore is first
// searched; unknown keys are errors.

import { z } from 'zod';

const fieldPath = z.string().regex(/^[@A-Za-z_][@A-Za-z0-9_.-]*$/, 'expected a field path such as log.level');

export const FIELD_NAMES = ['ts', 'level', 'message', 'app', 'file', 'host', 'traceId', 'env'] as const;
export type FieldName = (typeof FIELD_NAMES)[number];

/** ECS-like defaults; `env` has none: an index usually holds one env, and filtering on a missing field would hide everything. */
export const DEFAULT_FIELDS: Record<Exclude<FieldName, 'env'>, string> = {
  ts: '@timestamp',
  level: 'level',
  message: 'message',
  app: 'app',
  file: 'file',
  host: 'host',
  traceId: 'traceId',
};

export const OpensearchConfigSchema = z
  .object({
    url: z.string().url(),
    username: z.string().min(1).optional(),
    password: z.string().optional(),
    /** Elasticsearch/OpenSearch API key, already base64("id:key") as the server hands it out. */
    apiKey: z.string().min(1).optional(),
    timeoutMs: z.number().int().min(100).max(600_000).default(30_000),
    fields: z
      .object(Object.fromEntries(FIELD_NAMES.map((f) => [f, fieldPath.optional()])) as Record<FieldName, z.ZodOptional<typeof fieldPath>>)
      .strict()
      .default({}),
    /**
     * A keyword (or wildcard-typed) field holding each whole message. Keywords are then sent as
     * exact, case-sensitive wildcard queries on it; without it only whole words narrow the search.
     */
    keywordField: fieldPath.optional(),
    /** A unique, sortable field that orders events sharing a timestamp; `_id` where the cluster allows sorting on it. */
    tiebreak: fieldPath.default('_id'),
    /** Hits fetched per round trip while filters that run in process thin them out. */
    maxBatch: z.number().int().min(10).max(10_000).default(1000),
  })
  .strict()
  .refine((c) => c.password === undefined || c.username !== undefined, { message: 'password needs username', path: ['password'] })
  .refine((c) => !(c.apiKey && c.username), { message: 'give either username/password or apiKey, not both', path: ['apiKey'] });

export type OpensearchAdapterConfig = z.input<typeof OpensearchConfigSchema>;
export type OpensearchConfig = z.output<typeof OpensearchConfigSchema>;

export const OpensearchLocationSchema = z
  .object({
    /** An index, a pattern (logs-shop-*) or a comma-separated list of them. */
    index: z.string().regex(/^[^\s/\\"<>|?#]+$/, 'expected an index name or pattern without spaces, slashes or quotes'),
  })
  .strict();

export type OpensearchLocation = z.input<typeof OpensearchLocationSchema>;

export interface ResolvedFields extends Record<Exclude<FieldName, 'env'>, string> {
  env?: string;
}

export function resolveFields(cfg: OpensearchConfig): ResolvedFields {
  return { ...DEFAULT_FIELDS, ...cfg.fields };
}
