// Event-time progress of one input: a watermark per partition, the minimum over the partitions
// that are not idle, never moving backward. The task runner feeds it every consumed event and
// hands its value to the windowed stages' advance(). Wall time comes in as an argument.

export interface WatermarkTrackerOptions {
  /** A partition that delivered nothing for this long stops holding the watermark back. */
  idleTimeoutMs: number;
}

export interface WatermarkTracker {
  /** Makes an assigned partition hold the watermark back even before its first event. */
  register(partition: number, now: number): void;
  observe(partition: number, eventTs: number, now: number): void;
  /** After a rebalance: a revoked partition no longer holds the watermark back. */
  remove(partition: number): void;
  watermark(now: number): number;
  partitions(now: number): Array<{ partition: number; watermark: number; idle: boolean }>;
}

interface PartitionProgress {
  watermark: number;
  lastSeen: number;
}

export function createWatermarkTracker(opts: WatermarkTrackerOptions): WatermarkTracker {
  if (!(opts.idleTimeoutMs > 0)) throw new RangeError(`idleTimeoutMs: expected a positive number of milliseconds, got ${opts.idleTimeoutMs}`);
  const parts = new Map<number, PartitionProgress>();
  let emitted = Number.NEGATIVE_INFINITY;

  return {
    register(partition, now) {
      if (!parts.has(partition)) parts.set(partition, { watermark: Number.NEGATIVE_INFINITY, lastSeen: now });
    },
    observe(partition, eventTs, now) {
      const p = parts.get(partition);
      if (!p) parts.set(partition, { watermark: eventTs, lastSeen: now });
      else {
        if (eventTs > p.watermark) p.watermark = eventTs;
        p.lastSeen = now;
      }
    },
    remove(partition) {
      parts.delete(partition);
    },
    watermark(now) {
      let activeMin = Number.POSITIVE_INFINITY;
      let anyMax = Number.NEGATIVE_INFINITY;
      for (const p of parts.values()) {
        if (p.watermark > anyMax) anyMax = p.watermark;
        if (now - p.lastSeen <= opts.idleTimeoutMs && p.watermark < activeMin) activeMin = p.watermark;
      }
      // When every partition is idle the furthest one stands for the input, so the last windows
      // of a stream that went quiet still close instead of waiting for traffic that may not come.
      const next = activeMin === Number.POSITIVE_INFINITY ? anyMax : activeMin;
      if (next > emitted) emitted = next;
      return emitted;
    },
    partitions(now) {
      return [...parts].map(([partition, p]) => ({ partition, watermark: p.watermark, idle: now - p.lastSeen > opts.idleTimeoutMs }));
    },
  };
}
