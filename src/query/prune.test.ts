import { describe, expect, it } from 'vitest';
import { pruneTargets } from './prune.js';
import type { PlannedTarget } from './request.js';
import { store } from './testing.js';
import type { Logstore } from '../topology/types.js';

const t = (id: string, over: Partial<Logstore> = {}, rank = 0): PlannedTarget => ({
  target: { id, logstore: store(id, over), domain: 'd', env: 'prod' },
  rank,
});
const filter = { from: 1000, to: 2000, keywords: { include: [], exclude: [] } };

describe('prune', () => {
  it('skips targets whose known bounds cannot overlap [from, to) without asking them', () => {
    const { keep, settled } = pruneTargets(
      [
        t('before', { maxTs: 999 }),
        t('touches-from', { maxTs: 1000 }),
        t('after', { minTs: 2000 }),
        t('touches-to', { minTs: 1999 }),
        t('unknown'),
        t('inactive', { active: false, minTs: 0, maxTs: 5000 }),
      ],
      { filter, live: false },
    );
    expect(keep.map((k) => k.target.id)).toEqual(['touches-from', 'touches-to', 'unknown', 'inactive']);
    expect(settled.map((s) => [s.status.logstore, s.status.status, s.status.reason, s.status.ms])).toEqual([
      ['before', 'SKIPPED', 'no data in the time range', 0],
      ['after', 'SKIPPED', 'no data in the time range', 0],
    ]);
  });

  it('skips targets the cursor says are exhausted', () => {
    const resume = { range: { from: 1000, to: 2000 }, positions: new Map(), exhausted: new Set(['done']), unbounded: new Set<string>() };
    const { keep, settled } = pruneTargets([t('done'), t('open')], { filter, resume, live: false });
    expect(keep.map((k) => k.target.id)).toEqual(['open']);
    expect(settled[0]!.status.reason).toBe('exhausted on an earlier page');
    // Ascending into the future, an exhausted target may receive more: it is asked again.
    expect(pruneTargets([t('done'), t('open')], { filter, resume, live: true }).keep).toHaveLength(2);
  });
});
