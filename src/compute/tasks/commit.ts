// The one place a task decides which offsets to commit after handling a batch. Today: the batch's
// next offset, once its events and dead letters are written. Events still held by the pipeline
// (a multi-line event waiting for its next line) are not yet covered: a crash in that moment loses
// them. When windows hold events, this becomes "up to the oldest event held in an open window".

import type { BusRecord, OffsetCommit } from '../bus/types.js';

/** Offsets to commit after `batch` (the records of one partition, in offset order) was handled. */
export function commitAfter(batch: readonly BusRecord[]): OffsetCommit[] {
  const last = batch[batch.length - 1];
  if (!last) return [];
  return [{ topic: last.topic, partition: last.partition, offset: (BigInt(last.offset) + 1n).toString() }];
}
