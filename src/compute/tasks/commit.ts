// The one place a task decides which offsets to commit after handling a batch: the batch's next
// offset once its events, dead letters and closed windows are written, but never past the oldest
// event still held in an open metric window, so a crash or broker restart replays that window
// instead of losing it. A multi-line event still waiting for its next line is not yet covered.

import type { BusRecord, OffsetCommit, TopicPartition } from '../bus/types.js';

/**
 * Offsets to commit after `batch` (the records of one partition, in offset order) was handled;
 * `held` is the oldest offset of that partition an open window still holds, if any.
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
