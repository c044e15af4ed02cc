// The in-process check that makes a network adapter's answer exact: whatever the backend query
// narrowed (token matches, case-insensitive terms, coarse time), the one definition of "matches"
// plus the target's apps and files decides.

import type { LogEvent } from '../../src/core/event.js';
import { compileFilter } from '../../src/query/match.js';
import type { EventFilter, Target } from '../../src/query/types.js';

/** Whether an event belongs to the apps and files an env-layout target names. */
export function inTarget(target: Target): (e: LogEvent) => boolean {
  const apps = target.apps?.length ? new Set(target.apps) : undefined;
  const files = target.files?.length ? new Set(target.files) : undefined;
  return (e) => (!apps || apps.has(e.app)) && (!files || files.has(e.file));
}

export function acceptFor(target: Target, filter: EventFilter): (e: LogEvent) => boolean {
  const matches = compileFilter(filter);
  const inside = inTarget(target);
  return (e) => matches(e) && inside(e);
}
