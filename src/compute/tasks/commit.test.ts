import { describe, expect, it } from 'vitest';
import type { BusRecord, OffsetCommit } from '../bus/types.js';
import { CommitTracker } from './commit.js';

const rec = (offset: number, partition = 0): BusRecord => ({ topic: 't', partition, offset: String(offset), key: null, value: Buffer.from('x'), headers: {}, timestamp: 0 });

describe('CommitTracker', () => {
  it('commits after the last handled record unless something older is held, and never backwards', async () => {
    let held: number | undefined = 3;
    const tracker = new CommitTracker(() => held);
    const commits: OffsetCommit[][] = [];
    const commit = async (o: OffsetCommit[]) => void commits.push(o);
    const s = tracker.streamOf('t', 0);
    tracker.handled(s, rec(9), commit);
    await tracker.release(s);
    held = undefined;
    await tracker.release(s);
    held = 1; // an older hold after a later commit does not move it back
    await tracker.release(s);
    expect(commits.map((c) => c[0]!.offset)).toEqual(['3', '10']);
  });

  it('skips records it handled when a rejoined consumer fetches them again, until the partition is revoked', () => {
    const tracker = new CommitTracker(() => undefined);
    const s = tracker.streamOf('t', 0);
    tracker.handled(s, rec(5), async () => undefined);
    expect(tracker.unhandled([rec(4), rec(5), rec(6)]).map((r) => r.offset)).toEqual(['6']);
    expect(tracker.unhandled([rec(4, 1)]).map((r) => r.offset)).toEqual(['4']);
    tracker.forget([{ topic: 't', partition: 0 }]);
    expect(tracker.unhandled([rec(4)]).map((r) => r.offset)).toEqual(['4']);
  });

  it('releases only the partitions still owned', async () => {
    const tracker = new CommitTracker(() => undefined);
    const committed: number[] = [];
    for (const p of [0, 1]) tracker.handled(tracker.streamOf('t', p), rec(7, p), async () => void committed.push(p));
    await tracker.releaseAll([{ topic: 't', partition: 1 }], (err) => { throw err; });
    expect(committed).toEqual([1]);
  });
});
