// What a rule store keeps and hands to the task manager: every rule as stored (valid or not), so
// a task can run the rules that validate and keep the previous version of those that do not.
// Implementations: files (files.ts, the embedded default) and MySQL (mysql.ts).

import type { Rule, RuleIssue } from '../rules/index.js';

export interface StoredRule {
  id: string;
  kind: Rule['kind'];
  version: number;
  online: boolean;
  /** The rule, checked and with defaults applied. */
  rule: Rule;
  /** Epoch ms of the last change through the store (file mtime for file rules). */
  updatedAt?: number;
  /** Epoch ms when a task last loaded this version. */
  refreshedAt?: number;
}

/** An entry of the store that does not validate: where it is, which rule it meant to be, and why. */
export interface RejectedEntry {
  id?: string;
  kind?: string;
  version?: number;
  /** `rules.yaml#rules[3]`, `mysql:<table>#<id>`. */
  where: string;
  issues: RuleIssue[];
}

export interface RuleSnapshot {
  /** Valid rules by id, in store order (file by file, or by id). */
  rules: StoredRule[];
  rejected: RejectedEntry[];
}

export interface RuleStore {
  readonly kind: 'files' | 'mysql';
  /** Where rules come from, for messages (`examples/rules`, `mysql logfed_compute_rules`). */
  readonly location: string;
  /** Reads every rule now. */
  snapshot(): Promise<RuleSnapshot>;
  /**
   * Saves a checked rule. A rule of that id must have a lower version, or be the same rule (no
   * change): anything else is refused with CONFLICT, so two editors cannot overwrite each other.
   */
  put(rule: Rule, raw: unknown): Promise<StoredRule>;
  /** Turns a rule on or off without changing its version; undefined when there is no such rule. */
  setOnline(id: string, online: boolean): Promise<StoredRule | undefined>;
  /** Records that these rules (at these versions) were loaded by a task at `at`. */
  markRefreshed(rules: ReadonlyArray<{ id: string; version: number }>, at: number): Promise<void>;
  close(): Promise<void>;
}
