// The one place a task decides which offsets to commit after handling a batch: the batch's next
// offset once its events, dead letters and closed windows are written, but never past the oldest
// event still held in an open metric window or by a multi-line event waiting for its next line,
// so a crash or broker restart replays them instead of losing them. Phase two of a scale-out task
// commits its repartition partitions through it too, held at what its partial merger must replay.

import type { BusRecord, OffsetCommit, TopicPartition } from '../bus/types.js';

/**
 * Offsets to commit after `batch` (the records of one partition, in offset order) was handled;
 * `held` is the oldest offset of that partition an open window or a pending multi-line event still holds, if any.
 */
export function commitAfter(batch: readonly BusRecord[], held?: number): OffsetCommit[] {
  const last = batch[batch.length - 1];
  if (!last) return [];
  return [commitUpTo(last, BigInt(last.offset) + 1n, held)];
}

/** The offset to commit for a partition handled up to `next` (exclusive) while `held` is still in an open window. */
export function commitUpTo(tp: TopicPartition, next: bigint, held?: number): OffsetCommit {
  const offset = held !== undefined && BigInt(held) < next ? BigInt(held) : next;
  return { topic: tp.topic, partition: tp.partition, offset: offset.toString() };
}

/** One partition's commits: its next offset after the last handled batch, and what is committed. */
interface Progress {
  topic: string;
  partition: number;
  next: bigint;
  committed?: bigint;
  /** The commit of the batch context that last handled the partition. */
  commit: (offsets: OffsetCommit[]) => Promise<void>;
  /** Commits of one partition run one at a time, in this queue. */
  queue: Promise<void>;
}

/**
 * Where each partition a task reads stands: which records it handled and how far it committed.
 * Partitions are known by a small number (their stream), which windows and watermarks use too.
 * A commit held back by an open window or a pending multi-line event is released later by any
 * partition's batch or by the advance timer, through release().
 */
export class CommitTracker {
  private readonly progress = new Map<number, Progress>();
  private readonly streams = new Map<string, number>();

  /**
   * `held` answers the oldest offset of a partition, handled up to `next` (exclusive), that must be
   * read again after a crash, if any.
   */
  constructor(private readonly held: (stream: number, topic: string, partition: number, next: bigint) => number | undefined) {}

  streamOf(topic: string, partition: number): number {
    const name = `${topic}\u0000${partition}`;
    let id = this.streams.get(name);
    if (id === undefined) this.streams.set(name, (id = this.streams.size));
    return id;
  }

  /**
   * The records of a batch not handled yet. A consumer that rejoins its group (the broker went
   * away for longer than the session) fetches again from the committed offset, behind records
   * whose events open windows already hold: those would count twice.
   */
  unhandled(records: BusRecord[]): BusRecord[] {
    const first = records[0];
    const p = first && this.progress.get(this.streamOf(first.topic, first.partition));
    if (!p) return records;
    const from = records.findIndex((r) => BigInt(r.offset) >= p.next);
    return from < 0 ? [] : records.slice(from);
  }

  /** Notes a handled batch of `stream` ending at `last`, committed through `commit` from now on. */
  handled(stream: number, last: BusRecord, commit: Progress['commit']): void {
    const p = this.progress.get(stream);
    const next = BigInt(last.offset) + 1n;
    // A batch behind the last one is a replay (the partition came back after a rebalance): start over from it.
    if (p) Object.assign(p, { next, commit, committed: p.committed !== undefined && p.committed > next ? undefined : p.committed });
    else this.progress.set(stream, { topic: last.topic, partition: last.partition, next, commit, queue: Promise.resolve() });
  }

  /** A revoked partition starts over when it comes back: what the task held of it may be gone. */
  forget(tps: readonly TopicPartition[]): void {
    for (const tp of tps) this.progress.delete(this.streamOf(tp.topic, tp.partition));
  }

  /** Every record from the committed offsets on is handled again (a restart): nothing is held. */
  clear(): void {
    this.progress.clear();
  }

  /**
   * Commits a partition up to what its handled batches and held records allow (commitUpTo), when
   * that is past its last commit. Never backwards.
   */
  release(stream: number): Promise<void> {
    const p = this.progress.get(stream);
    if (!p) return Promise.resolve();
    const run = async () => {
      const target = commitUpTo(p, p.next, this.held(stream, p.topic, p.partition, p.next));
      if (p.committed !== undefined && BigInt(target.offset) <= p.committed) return;
      await p.commit([target]);
      const done = BigInt(target.offset);
      if (p.committed === undefined || done > p.committed) p.committed = done;
    };
    p.queue = p.queue.then(run, run);
    return p.queue;
  }

  /** release() for every partition still owned but `except`; a failed commit is handed to `failed`. */
  async releaseAll(owned: readonly TopicPartition[], failed: (err: unknown) => void, except?: number): Promise<void> {
    const mine = new Set(owned.map((tp) => this.streamOf(tp.topic, tp.partition)));
    await Promise.all([...this.progress.keys()].filter((s) => s !== except && mine.has(s)).map((s) => this.release(s).catch(failed)));
  }
}
