// The `limits:` section of logfed.yaml: how much one GraphQL operation may ask for, and how a
// WebSocket connection must behave. The same values hold on HTTP and on graphql-ws.

import { z } from 'zod';

const production = () => process.env.NODE_ENV === 'production';

export const limitsConfigSchema = z
  .object({
    /** Nested selections (fragments flattened; `__schema` introspection is not counted). */
    depth: z.number().int().min(1).max(100).default(12),
    /**
     * graphql-armor's cost: objects 2, scalars 1, ×1.5 per level, a literal `first` multiplies
     * its field. One full `logs(first: 1000)` page costs about 80,000.
     */
    cost: z.number().int().min(1).default(250_000),
    aliases: z.number().int().min(0).max(1000).default(30),
    /** Lexical tokens in one document; the standard introspection query has about 170. */
    tokens: z.number().int().min(10).max(100_000).default(3_000),
    directives: z.number().int().min(0).max(1000).default(20),
    /** An operation (query or mutation; not a subscription) still running after this is aborted with TIMEOUT. */
    timeoutSeconds: z.number().positive().max(3600).default(30),
    /** "Did you mean …" in validation errors reveals schema the caller did not ask about. */
    fieldSuggestions: z.boolean().default(() => !production()),
    introspection: z.boolean().default(() => !production()),
    persistedQueries: z
      .object({
        /** Only documents in the manifest run; any other is refused. */
        enabled: z.boolean().default(false),
        /** JSON: `{ "<sha256 hex>": "<document>" }` or an Apollo persisted-query manifest. Relative to the config file. */
        manifest: z.string().min(1).optional(),
      })
      .strict()
      .refine((p) => !p.enabled || p.manifest, { message: 'expected manifest when persisted queries are enabled', path: ['manifest'] })
      .default({}),
    websocket: z
      .object({
        /** Operations running at once on one connection; the next is refused with LIMIT_EXCEEDED. */
        maxOperations: z.number().int().min(1).max(1000).default(20),
        /** A connection with no operation running for this long is closed (4000). */
        idleSeconds: z.number().positive().default(600),
        /** A larger message closes the connection (1009). */
        maxPayloadBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
        /** A connection that has not sent connection_init by then is closed (4408). */
        initTimeoutMs: z.number().int().min(100).max(60_000).default(3_000),
      })
      .strict()
      .default({}),
  })
  .strict()
  .default({});

export type LimitsConfig = z.output<typeof limitsConfigSchema>;
