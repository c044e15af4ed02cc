// Partition-assignment bookkeeping both buses share: stable ordering, what a rebalance took away
// and gave, and calling the subscriber's onRevoke/onAssign hooks without letting them break it.

import { log as rootLog } from '../../observe/logger.js';
import type { SubscribeOptions, TopicPartition } from './types.js';

const log = rootLog.child({ component: 'bus' });

export function byTopicPartition(a: TopicPartition, b: TopicPartition): number {
  return a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1;
}

const same = (a: TopicPartition, b: TopicPartition) => a.topic === b.topic && a.partition === b.partition;

/** Tells the subscriber what a rebalance revoked, then what it assigned (Kafka's order). */
export function announceAssignment(opts: SubscribeOptions, before: TopicPartition[], after: TopicPartition[]): void {
  const revoked = before.filter((tp) => !after.some((x) => same(x, tp))).sort(byTopicPartition);
  const added = after.filter((tp) => !before.some((x) => same(x, tp))).sort(byTopicPartition);
  if (revoked.length > 0) callHook(opts, 'onRevoke', revoked);
  if (added.length > 0) callHook(opts, 'onAssign', added);
}

function callHook(opts: SubscribeOptions, name: 'onAssign' | 'onRevoke', partitions: TopicPartition[]): void {
  try {
    opts[name]?.(partitions.map((tp) => ({ ...tp })));
  } catch (err) {
    log.warn({ err, group: opts.groupId, hook: name }, 'subscription hook threw; ignored');
  }
}
