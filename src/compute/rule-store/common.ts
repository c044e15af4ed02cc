// Pieces both rule stores share: checking one stored body into a rule or a rejection, the version
// rule every save obeys, and a canonical text of a rule for "is this the same rule?".

import { LogfedError } from '../../errors/index.js';
import { checkRule, type Rule } from '../rules/index.js';
import type { RejectedEntry, StoredRule } from './types.js';

/** JSON with object keys sorted, so two equal rules have equal text whatever their key order. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

const field = (body: unknown, name: string): unknown => (typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined);

/** A stored body as a rule, or as a rejection naming each bad field under `where`. */
export function checkStored(body: unknown, where: string, meta: { updatedAt?: number; refreshedAt?: number } = {}): StoredRule | RejectedEntry {
  const checked = checkRule(body, where);
  if (!checked.ok) {
    const id = field(body, 'id');
    const version = field(body, 'version');
    const kind = field(body, 'kind');
    return {
      ...(typeof id === 'string' ? { id } : {}),
      ...(typeof kind === 'string' ? { kind } : {}),
      ...(typeof version === 'number' ? { version } : {}),
      where,
      issues: checked.issues,
    };
  }
  const rule = checked.rule;
  return { id: rule.id, kind: rule.kind, version: rule.version, online: rule.online, rule, ...meta };
}

export const isStored = (x: StoredRule | RejectedEntry): x is StoredRule => 'rule' in x;

/**
 * Whether saving `rule` over `existing` changes anything: false for the same rule again, true for
 * a higher version or for the same version switched on or off; a different rule at the same or a
 * lower version is refused.
 */
export function versionAllows(existing: StoredRule | undefined, rule: Rule): boolean {
  if (!existing) return true;
  if (rule.version > existing.version) return true;
  if (rule.version === existing.version && canonical({ ...rule, online: true }) === canonical({ ...existing.rule, online: true })) {
    return rule.online !== existing.online;
  }
  throw new LogfedError(
    'CONFLICT',
    `rule ${JSON.stringify(rule.id)}: version ${rule.version} is not above the stored version ${existing.version}; save a changed rule with version ${existing.version + 1}`,
    { details: { id: rule.id, storedVersion: existing.version, version: rule.version } },
  );
}
