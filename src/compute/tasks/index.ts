// Builds the compute core of one gateway from its configuration: the rule store (files or MySQL),
// the pipeline's mask secret and dimension loader, and the task manager. The runtime calls this
// once and starts the tasks after the demo (if any) has made its topic.

import { randomBytes } from 'node:crypto';
import type { Pool } from 'mysql2/promise';
import type { LogEvent } from '../../core/event.js';
import { LogfedError } from '../../errors/index.js';
import { log } from '../../observe/logger.js';
import { DEFAULT_TABLE_PREFIX, migrate } from '../../store/migrate.js';
import type { Bus } from '../bus/types.js';
import type { Results } from '../results/index.js';
import { createFileRuleStore, createMysqlRuleStore, type RuleStore } from '../rule-store/index.js';
import { createMysqlDimensionLoader } from '../stages/dimension-mysql.js';
import type { NamedParsers } from '../stages/parse.js';
import type { ComputeConfig } from './config.js';
import { TaskManager } from './manager.js';

export interface ComputeServices {
  bus: Bus;
  mysql?: Pool;
  tail?: (events: LogEvent[]) => void;
  lagIntervalMs?: number;
  /** Where tasks keep metric rows and alerts (the runtime's, shared with the exception scanner). */
  results?: Results;
  /** Parsers domain plugins provide, for parse rules of `type: plugin`. */
  parsers?: NamedParsers;
}

export async function createCompute(config: ComputeConfig, services: ComputeServices): Promise<TaskManager> {
  const store = await ruleStore(config, services.mysql);
  let secret = config.maskSecret;
  if (secret === undefined) {
    secret = randomBytes(24).toString('hex');
    if (config.tasks.length > 0) log.info('compute.maskSecret is not set: pseudonyms are keyed per process and change on restart');
  }
  return new TaskManager(config, {
    bus: services.bus,
    store,
    compile: { maskSecret: secret, parsers: services.parsers, ...(services.mysql ? { loadDimension: createMysqlDimensionLoader(services.mysql) } : {}) },
    tail: services.tail,
    lagIntervalMs: services.lagIntervalMs,
    results: services.results,
  });
}

async function ruleStore(config: ComputeConfig, mysql: Pool | undefined): Promise<RuleStore> {
  if (config.rules.source === 'files') return createFileRuleStore({ dir: config.rules.dir });
  if (!mysql) throw new LogfedError('BAD_CONFIG', 'compute.rules.source is mysql, but no MySQL is configured: set mysql.url (or LOGFED_MYSQL_URL), or use source: files');
  // The runtime migrates the default prefix at start; another prefix gets its tables here.
  if (config.rules.tablePrefix !== DEFAULT_TABLE_PREFIX) await migrate(mysql, { tablePrefix: config.rules.tablePrefix });
  return createMysqlRuleStore(mysql, { tablePrefix: config.rules.tablePrefix });
}

export { computeConfigSchema, type ComputeConfig, type ComputeConfigInput, type TaskConfig, type TaskConfigInput } from './config.js';
export { TaskManager } from './manager.js';
export { TaskRunner } from './runner.js';
export type { ReloadResult, TaskHealth, TaskRuleView, TaskState } from './views.js';
