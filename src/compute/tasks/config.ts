// The `compute` section of logfed.yaml: where rules are kept and which tasks run. A task reads its
// topics in a consumer group of its own and runs an ordered set of rules over them. Checked when
// the configuration is loaded; unknown keys are errors.

import { z } from 'zod';
import { ID_PATTERN } from '../rules/common.js';

const topic = z
  .string()
  .regex(/^[a-zA-Z0-9._-]{1,249}$/, "expected a Kafka topic name (letters, digits, '.', '_', '-'; at most 249)")
  .refine((t) => t !== '.' && t !== '..', 'expected a Kafka topic name');

/** A rule id, or a prefix ending in `*` that takes every rule whose id starts with it (in id order). */
const ruleRef = z
  .string()
  .refine((r) => ID_PATTERN.test(r.endsWith('*') ? `${r.slice(0, -1)}x` : r), 'expected a rule id, or an id prefix ending in * (demo.*)');

export const taskConfigSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'expected a lower-case task id ([a-z0-9._-], at most 64 characters)'),
    description: z.string().max(2000).optional(),
    topics: z.array(topic).min(1).max(64),
    /** Defaults to logfed-task-<id>; tasks on other instances with the same group share the partitions. */
    groupId: z.string().min(1).max(255).optional(),
    /** Where the group starts when it has no committed offset. */
    startFrom: z.enum(['earliest', 'latest']).default('latest'),
    /** In order: data types that identify alike are tried in this order. */
    rules: z.array(ruleRef).min(1).max(1024),
    /** Processed events are also written here as JSON, keyed by domain/env/app/file. */
    outputTopic: topic.optional(),
    /** Defaults to logfed-task-<id>-dlq. */
    deadLetterTopic: topic.optional(),
    /** Processed events go to the live tail. */
    tail: z.boolean().default(true),
    /** Start with the gateway; otherwise only startTask starts it. */
    autoStart: z.boolean().default(true),
    /** On Kafka, batches of this many partitions are handled at once, so one's writes overlap another's processing. */
    concurrency: z.number().int().min(1).max(64).default(3),
    /** How often multi-line events that have waited past their maxAgeMs are released. */
    advanceMs: z.number().int().min(10).max(60_000).default(250),
    /** How long past its end a metric window waits for late events; later ones are counted and sent to lateTopic. */
    allowedLatenessMs: z.number().int().min(0).max(86_400_000).default(5_000),
    /** A partition that delivered nothing for this long stops holding the metric watermark back. */
    idleTimeoutMs: z.number().int().min(100).max(86_400_000).default(30_000),
    /** Metric rows are also written here as JSON, keyed by rule and key. */
    metricsTopic: topic.optional(),
    /** Alert records are also written here as JSON, keyed by fingerprint. */
    alertsTopic: topic.optional(),
    /** Events too late for their metric window; defaults to logfed-task-<id>-late. */
    lateTopic: topic.optional(),
    /**
     * Two-phase metric aggregation for a task run on several instances in one group (off: each
     * instance writes what its own partitions bring). Each instance aggregates per input partition
     * and publishes the partials of closed windows to the repartition topic keyed by (rule, key);
     * the owner of each repartition partition merges them and writes the rows (scale-out.ts).
     * Composite rules are refused in such a task.
     */
    scaleOut: z
      .object({
        /** Defaults to logfed-task-<id>-repartition. */
        repartitionTopic: topic.optional(),
        /** Partitions of the repartition topic (grown, never shrunk); defaults to those of the input topics. */
        partitions: z.number().int().min(1).max(1024).optional(),
      })
      .strict()
      .optional(),
    /** Longest record kept; longer ones are cut and flagged `_truncated`. */
    maxRecordBytes: z.number().int().min(1024).max(16 * 1024 * 1024).default(1024 * 1024),
  })
  .strict();

export const computeConfigSchema = z
  .object({
    rules: z
      .object({
        source: z.enum(['files', 'mysql']).default('files'),
        /** The folder of *.yaml / *.json rule files (source: files). */
        dir: z.string().min(1).optional(),
        /** Table prefix of the rules table (source: mysql), as given to the migrations. */
        tablePrefix: z.string().regex(/^[a-z0-9_]{0,32}$/, "expected lowercase letters, digits and '_' (at most 32)").default('logfed_'),
        /** Tasks re-read their rules this often (0: only on reloadRules and rule mutations). */
        refreshSeconds: z.number().int().min(0).max(86_400).default(300),
      })
      .strict()
      .default({}),
    /**
     * Key of the masking pseudonyms: instances that must produce the same pseudonyms share it.
     * Without it each process draws its own, so pseudonyms change on restart.
     */
    maskSecret: z.string().min(16, 'expected at least 16 characters').optional(),
    tasks: z.array(taskConfigSchema).max(256).default([]),
  })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Map<string, number>();
    c.tasks.forEach((t, i) => {
      const first = seen.get(t.id);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['tasks', i, 'id'], message: `duplicate task id ${JSON.stringify(t.id)} (first at tasks[${first}])` });
      else seen.set(t.id, i);
    });
    if (c.rules.source === 'files' && c.rules.dir === undefined && c.tasks.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['rules', 'dir'], message: 'is required when tasks run on file rules (source: files)' });
    }
  });

export type TaskConfig = z.output<typeof taskConfigSchema>;
export type TaskConfigInput = z.input<typeof taskConfigSchema>;
export type ComputeConfig = z.output<typeof computeConfigSchema>;
export type ComputeConfigInput = z.input<typeof computeConfigSchema>;

export const groupIdOf = (t: TaskConfig) => t.groupId ?? `logfed-task-${t.id}`;
export const deadLetterTopicOf = (t: TaskConfig) => t.deadLetterTopic ?? `logfed-task-${t.id}-dlq`;
export const lateTopicOf = (t: TaskConfig) => t.lateTopic ?? `logfed-task-${t.id}-late`;
export const repartitionTopicOf = (t: TaskConfig) => t.scaleOut?.repartitionTopic ?? `logfed-task-${t.id}-repartition`;
/** The consumer group of the task's phase two: the owners of the repartition partitions. */
export const repartitionGroupOf = (t: TaskConfig) => `${groupIdOf(t)}-repartition`;
