// The bus settings, checked when a bus is built: unknown keys are errors, and each message names
// the field, what was expected and what came. Read by createBus (index.ts) and the two factories.

import { z } from 'zod';
import { LogfedError } from '../../errors/index.js';

const common = {
  /** Partitions of a topic created without a count (ensureTopics, or auto-creation). */
  partitions: z.number().int().min(1).max(1024).default(3),
  /** Off by default on both buses, so a misspelt topic fails loudly instead of appearing. */
  autoCreateTopics: z.boolean().default(false),
};

export const memoryBusSchema = z
  .object({
    kind: z.literal('memory'),
    ...common,
    /** Most records handed to one eachBatch call. */
    maxBatchSize: z.number().int().min(1).max(100_000).default(500),
    /** Records kept per partition; older ones are dropped as a broker's retention would. */
    retention: z.number().int().min(1).default(100_000),
  })
  .strict();

export const kafkaBusSchema = z
  .object({
    kind: z.literal('kafka'),
    ...common,
    brokers: z.array(z.string().regex(/^[^\s:/]+:\d{1,5}$/, 'expected host:port, e.g. 127.0.0.1:9092')).min(1, 'expected at least one broker'),
    clientId: z.string().min(1).default('logfed'),
    /** Longest a fetch waits for new records: the floor of end-to-end latency when idle. */
    maxWaitMs: z.number().int().min(10).max(30_000).default(500),
    sessionTimeoutMs: z.number().int().min(6_000).max(300_000).default(30_000),
    heartbeatIntervalMs: z.number().int().min(100).max(60_000).default(3_000),
    connectionTimeoutMs: z.number().int().min(100).max(60_000).default(3_000),
    requestTimeoutMs: z.number().int().min(1_000).max(300_000).default(30_000),
    /**
     * Produce from a worker thread: kafkajs's partitioning, encoding and checksums (about half the
     * CPU a record costs a task) then run beside consuming and processing, on another core.
     */
    produceThread: z.boolean().default(true),
    /**
     * Most bytes one fetch brings of one partition. kafkajs fetches again only once the whole last
     * fetch is handled, so larger fetches leave fewer pauses (kafkajs's own default is 1 MiB).
     */
    maxBytesPerPartition: z.number().int().min(64 * 1024).max(64 * 1024 * 1024).default(4 * 1024 * 1024),
    /** Most records handed to one eachBatch call; a larger fetch is handed on in pieces, in order. */
    maxBatchSize: z.number().int().min(1).max(100_000).default(2_000),
    /** Client-level retries of a failed request, with kafkajs's jittered backoff. */
    retries: z.number().int().min(0).max(20).default(5),
  })
  .strict();

export const busConfigSchema = z.discriminatedUnion('kind', [memoryBusSchema, kafkaBusSchema]);

export type MemoryBusConfig = z.output<typeof memoryBusSchema>;
export type KafkaBusConfig = z.output<typeof kafkaBusSchema>;
export type BusConfigInput = z.input<typeof busConfigSchema>;
export type MemoryBusOptions = Omit<z.input<typeof memoryBusSchema>, 'kind'>;
export type KafkaBusOptions = Omit<z.input<typeof kafkaBusSchema>, 'kind'>;

/** Parses bus settings or throws BAD_CONFIG naming every wrong field and the value that came. */
export function parseBusConfig<S extends z.ZodTypeAny>(schema: S, raw: unknown, where = 'bus'): z.output<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = [where, ...issue.path].join('.');
    const got = valueAt(raw, issue.path);
    const echo = got === undefined ? '' : ` (got ${JSON.stringify(got)})`;
    return `${path}: ${issue.message}${echo}`;
  });
  throw new LogfedError('BAD_CONFIG', `invalid ${where} settings: ${problems.join('; ')}`, { details: { problems } });
}

function valueAt(root: unknown, path: (string | number)[]): unknown {
  let cur = root;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}
