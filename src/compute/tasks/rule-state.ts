// The metric stage's stateful rules (alert evaluators, composite aggregators) across restarts and
// reloads. Their state cannot be rebuilt by replay: it comes from windows already written and
// committed past. So it is saved with the results it belongs to (what changed in one advance goes
// out with that advance's rows and alerts) and picked up again when the stage is built.

import { restoring, rulePrint, type RuleState } from '../results/index.js';

export interface Stateful {
  readonly rule: { id: string };
  snapshot(part?: number): unknown;
  stats(): { received: number };
}

export interface Carried<T> {
  print: string;
  value: T;
  /** Whether the carried object fits the new stage as it is (its sources did not change). */
  fits: boolean;
}

/**
 * How a stateful rule starts: the running one, when its rule is unchanged and it has seen rows
 * here (it is then at least as far as anything saved); else the saved state of the same rule
 * definition; else fresh. A carried object that no longer fits is rebuilt from its own snapshot.
 */
export function startStateful<T extends Stateful>(rule: { id: string }, print: string, carried: Carried<T> | undefined, saved: RuleState | undefined, build: (restore?: unknown) => T): T {
  const keep = carried && carried.print === print ? carried : undefined;
  if (keep && (saved === undefined || keep.value.stats().received > 0)) {
    return keep.fits ? keep.value : restoring(rule, print, { ruleId: rule.id, print, state: keep.value.snapshot() }, build);
  }
  return restoring(rule, print, saved, build);
}

/** Collects the stateful rules one advance changed, and hands back their states to save with its results. */
export class ChangedStates {
  private readonly changed = new Set<Stateful>();

  constructor(private readonly prints: ReadonlyMap<string, string>) {}

  note(x: Stateful): void {
    this.changed.add(x);
  }

  /**
   * In a scale-out task (`parts`: the repartition partitions whose alerts this instance holds), one
   * state per rule and partition, each with only that partition's alerts, so each can move alone.
   */
  take(parts?: readonly number[]): RuleState[] {
    const print = (x: Stateful) => this.prints.get(x.rule.id) ?? '';
    const out = [...this.changed].flatMap((x) =>
      parts === undefined ? [{ ruleId: x.rule.id, print: print(x), state: x.snapshot() }] : parts.map((part) => ({ ruleId: x.rule.id, print: print(x), part, state: x.snapshot(part) })),
    );
    this.changed.clear();
    return out;
  }
}

export { rulePrint };
