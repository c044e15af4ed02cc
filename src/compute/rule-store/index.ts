// Rule stores for compute tasks: where rules are kept (files or MySQL) behind one interface
// (types.ts). The task manager reads snapshots from one and saves API edits through it.

export { createFileRuleStore, type FileRuleStoreOptions } from './files.js';
export { createMysqlRuleStore, type MysqlRuleStoreOptions } from './mysql.js';
export { canonical } from './common.js';
export type { RejectedEntry, RuleSnapshot, RuleStore, StoredRule } from './types.js';
