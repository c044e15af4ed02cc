// Fourth step of the query chain: settles, without asking any backend, the targets that cannot
// hold a hit for this page — known time bounds outside [from, to) (as Elasticsearch's can_match
// phase does), or exhausted on an earlier page according to the cursor (unless the query is
// live: ascending into the future). Inactive logstores stay: their adapter opens them lazily.

import { LogfedError } from '../errors/index.js';
import type { Middleware, NormalisedQuery, PlannedTarget, TargetOutcome } from './request.js';

export function canOverlap(t: PlannedTarget, from: number, to: number): boolean {
  const { minTs, maxTs } = t.target.logstore;
  return !(maxTs !== undefined && maxTs < from) && !(minTs !== undefined && minTs >= to);
}

export function pruneTargets(targets: PlannedTarget[], query: Pick<NormalisedQuery, 'filter' | 'resume' | 'live'>) {
  const { from, to } = query.filter;
  const keep: PlannedTarget[] = [];
  const settled: TargetOutcome[] = [];
  for (const t of targets) {
    const reason = !canOverlap(t, from, to)
      ? 'no data in the time range'
      : !query.live && query.resume?.exhausted.has(t.target.id)
        ? 'exhausted on an earlier page'
        : undefined;
    if (reason) settled.push(skipped(t, reason));
    else keep.push(t);
  }
  return { keep, settled };
}

export function skipped(t: PlannedTarget, reason: string): TargetOutcome {
  const { logstore, domain } = t.target;
  return { planned: t, status: { logstore: logstore.id, domain, backend: logstore.backend, status: 'SKIPPED', rows: 0, ms: 0, reason } };
}

export const prune: Middleware = (next) => (ctx, req) => {
  if (!req.query || !req.targets) throw new LogfedError('INTERNAL', 'prune runs after plan');
  const { keep, settled } = pruneTargets(req.targets, req.query);
  return next(ctx, { ...req, targets: keep, settled: [...(req.settled ?? []), ...settled] });
};
