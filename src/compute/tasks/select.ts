// Picks a task's rules out of a store snapshot, in the task's order. A rule whose stored version
// does not validate is reported, and the version the task already runs stays in its place, so a
// bad edit never takes a working rule away.

import type { Rule } from '../rules/index.js';
import type { RejectedEntry, RuleSnapshot, StoredRule } from '../rule-store/index.js';

export interface Selection {
  /** The rules to compile, in the task's order. */
  rules: Rule[];
  /** The valid stored entries among them, by id. */
  stored: Map<string, StoredRule>;
  /** Rules of this task whose stored entry does not validate, by id. */
  rejected: Map<string, RejectedEntry>;
  /** Ids the task names that the store does not hold at all, and prefixes that match nothing. */
  missing: string[];
}

const matches = (ref: string, id: string) => (ref.endsWith('*') ? id.startsWith(ref.slice(0, -1)) : id === ref);

/** Whether a task that names `refs` runs the rule `id`. */
export const usesRule = (refs: readonly string[], id: string) => refs.some((ref) => matches(ref, id));

export function selectRules(refs: readonly string[], snapshot: RuleSnapshot, running: ReadonlyMap<string, Rule>): Selection {
  const valid = new Map(snapshot.rules.map((r) => [r.id, r]));
  const bad = new Map<string, RejectedEntry>();
  for (const r of snapshot.rejected) if (r.id !== undefined && !valid.has(r.id) && !bad.has(r.id)) bad.set(r.id, r);
  const out: Selection = { rules: [], stored: new Map(), rejected: new Map(), missing: [] };
  const taken = new Set<string>();

  const take = (id: string) => {
    if (taken.has(id)) return;
    taken.add(id);
    const good = valid.get(id);
    if (good) {
      out.rules.push(good.rule);
      out.stored.set(id, good);
      return;
    }
    const rejected = bad.get(id)!;
    out.rejected.set(id, rejected);
    const previous = running.get(id);
    if (previous) out.rules.push(previous);
  };

  for (const ref of refs) {
    if (!ref.endsWith('*')) {
      if (valid.has(ref) || bad.has(ref)) take(ref);
      else if (!taken.has(ref)) out.missing.push(ref);
      continue;
    }
    const ids = [...new Set([...valid.keys(), ...bad.keys()])].filter((id) => matches(ref, id)).sort();
    if (ids.length === 0) out.missing.push(ref);
    for (const id of ids) take(id);
  }
  return out;
}
