// The shape of logfed.yaml, checked at start. Unknown keys are errors (a typo must not be
// silently ignored), and every message names the field, what was expected and what came.

import { z } from 'zod';
import { authConfigSchema } from '../auth/config.js';
import { computeConfigSchema } from '../compute/tasks/config.js';
import { patternsConfigSchema } from '../patterns/config.js';
import { pluginEntrySchema } from '../plugins/load.js';
import { limitsConfigSchema } from '../server/limits/config.js';
import { tailConfigSchema } from '../pubsub/config.js';

const name = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'expected a lower-case name ([a-z0-9._-], at most 64 characters)');

const backend = z
  .object({ kind: z.string().min(1) })
  .passthrough()
  .describe('a backend: its `kind` names the adapter, the other keys are that adapter’s own config');

const logstore = z
  .object({
    id: z.string().min(1),
    domain: name,
    layout: z.enum(['env', 'app', 'file']),
    env: name,
    app: name.optional(),
    file: z.string().min(1).optional(),
    backend: z.string().min(1),
    location: z.record(z.unknown()),
    minTs: z.number().int().optional(),
    maxTs: z.number().int().optional(),
    active: z.boolean().optional(),
    sensitiveFields: z.array(z.string()).optional(),
  })
  .strict();

export const configSchema = z
  .object({
    server: z
      .object({
        port: z.number().int().min(0).max(65535).default(4000),
        host: z.string().default('0.0.0.0'),
        /** How long shutdown waits for in-flight work before exiting anyway. */
        shutdownGraceMs: z.number().int().min(0).max(60_000).default(4_000),
      })
      .strict()
      .default({}),
    mysql: z.object({ url: z.string().url() }).strict().optional(),
    redis: z.object({ url: z.string().url() }).strict().optional(),
    kafka: z
      .object({
        brokers: z.array(z.string().regex(/^[^\s:]+:\d+$/, 'expected host:port')).min(1),
        clientId: z.string().default('logfed'),
      })
      .strict()
      .optional(),
    query: z
      .object({
        maxSpanHours: z.number().positive().default(24 * 7),
        defaultSpanMinutes: z.number().positive().default(60),
        globalConcurrency: z.number().int().positive().default(64),
        /** At least affinity.batchSize, so that a batch whose logstores share one backend is searched in one wave. */
        perBackendConcurrency: z.number().int().positive().default(32),
        targetTimeoutMs: z.number().int().positive().default(10_000),
        maxPageSize: z.number().int().positive().max(1000).default(1000),
      })
      .strict()
      .default({}),
    /** Searching the likeliest apps first (seed 001 §2.2.4); scores live in Redis when it is configured. */
    affinity: z
      .object({
        enabled: z.boolean().default(true),
        /** Apps per batch: a page of `logs` with strategy AFFINITY covers one batch. */
        batchSize: z.number().int().positive().default(30),
        /** Apps batch 1 takes by the caller's own scores before filling by app↔app; at most batchSize. */
        userTop: z.number().int().min(0).default(15),
        /** Time for a score to halve; .inf keeps scores forever. */
        halfLifeDays: z.number().positive().default(30),
        /** Redis keys start with this; gateway replicas that share scores use the same one. */
        keyPrefix: z.string().min(1).default('logfed:affinity:'),
      })
      .strict()
      .refine((a) => a.userTop <= a.batchSize, { message: 'expected userTop to be at most batchSize', path: ['userTop'] })
      .default({}),
    backends: z.record(backend).default({}),
    topology: z
      .object({
        domains: z.array(z.object({ name, description: z.string().optional() }).strict()).default([]),
        logstores: z.array(logstore).default([]),
        gatewayMappings: z
          .array(z.object({ fromDomain: name, fromTraceId: z.string(), toDomain: name, toTraceId: z.string() }).strict())
          .default([]),
      })
      .strict()
      .default({}),
    /**
     * Who may call and what they may read (src/auth/config.ts, docs/security.md). Absent: the
     * demo lets anyone in as admin, any other configuration lets nobody in.
     */
    auth: authConfigSchema.optional(),
    /** GraphQL and WebSocket limits, the same on both transports (src/server/limits/config.ts). */
    limits: limitsConfigSchema,
    /** Live pattern mining and the exception scanner (src/patterns/config.ts). */
    patterns: patternsConfigSchema.default({}),
    /** Domain plugins, loaded at start in this order (see docs/plugins.md). */
    plugins: z.array(pluginEntrySchema).default([]),
    /** Compute tasks and where their rules are kept (src/compute/tasks/config.ts). */
    compute: computeConfigSchema.default({}),
    /** The live tail: subscriber queues and sharing between replicas (src/pubsub/config.ts). */
    tail: tailConfigSchema.default({}),
    demo: z
      .object({
        enabled: z.boolean().default(false),
        /** Where the demo writes its live log files; a fresh temporary directory when absent. */
        dir: z.string().optional(),
        linesPerSecond: z.number().positive().max(10_000).default(20),
        /** The bus topic the demo writes its raw lines to, for the demo task to read. */
        topic: z.string().regex(/^[a-zA-Z0-9._-]{1,249}$/, 'expected a Kafka topic name').default('logfed.demo.logs'),
      })
      .strict()
      .default({}),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
