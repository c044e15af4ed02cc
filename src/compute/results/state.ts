// Restoring a stateful rule (alert evaluator, composite aggregator) from the state a task saved
// with its results: only under the rule definition it was built with, and never at the cost of the
// task, since a state that does not restore is logged and the rule starts fresh.

import { createHash } from 'node:crypto';
import { log as rootLog } from '../../observe/logger.js';
import { canonical } from '../rule-store/index.js';
import type { RuleState } from './types.js';

const log = rootLog.child({ component: 'compute-state' });

/** Identifies a rule's definition: a saved state is restored only into the same one. */
export const rulePrint = (rule: unknown): string => createHash('sha1').update(canonical(rule)).digest('hex');

/**
 * Whether a saved state may be restored into the rule as defined now (`print`); when not, says why
 * in the log, since the rule then starts fresh.
 */
export function usableState(rule: { id: string }, print: string, saved: RuleState | undefined): saved is RuleState {
  if (saved === undefined) return false;
  if (saved.state === null) {
    log.info({ rule: rule.id, part: saved.part }, 'the state of the rule was too large to save; it starts fresh');
    return false;
  }
  if (saved.print !== print) {
    log.info({ rule: rule.id, part: saved.part }, 'the rule changed since its state was saved; it starts fresh');
    return false;
  }
  return true;
}

/**
 * Builds a rule with its saved state when there is one for the same definition, else fresh.
 * A build that throws on the state (a damaged or foreign one) is retried without it; a build that
 * throws without state is the rule's own error and goes to the caller.
 */
export function restoring<T>(rule: { id: string }, print: string, saved: RuleState | undefined, build: (restore?: unknown) => T): T {
  if (!usableState(rule, print, saved)) return build();
  try {
    return build(saved.state);
  } catch (err) {
    log.warn({ err, rule: rule.id }, 'the saved state of the rule does not restore; it starts fresh');
    return build();
  }
}

/**
 * Adds the saved state of one repartition partition to a running rule (scale-out). A state that
 * does not restore is logged and left out: that partition's alerts of the rule start fresh.
 */
export function mergingPart(rule: { id: string }, print: string, saved: RuleState & { part: number }, merge: (state: unknown, part: number) => void): void {
  if (!usableState(rule, print, saved)) return;
  try {
    merge(saved.state, saved.part);
  } catch (err) {
    log.warn({ err, rule: rule.id, part: saved.part }, 'the saved state of the rule for a repartition partition does not restore; its alerts there start fresh');
  }
}
