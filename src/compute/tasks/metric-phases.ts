// What the metric stage of a scale-out task hands its metric rules to instead of aggregating them
// itself: the two phases of scale-out.ts. The stage binds its rules and watermarks to them when it
// is compiled, then pushes events, advances, and asks where commits must stop, as it would of its
// own aggregators.

import type { LogEvent } from '../../core/event.js';
import type { MetricStorm } from '../metrics/aggregator.js';
import type { MetricRow } from '../metrics/row.js';
import type { MetricRule } from '../metrics/schema.js';
import type { WatermarkTracker } from '../windows/watermark.js';

export interface MetricPhases {
  bind(rules: readonly MetricRule[], watermarks: WatermarkTracker): BoundMetricPhases;
}

export interface BoundMetricPhases {
  push(events: readonly LogEvent[], partition: number, offsets: readonly number[]): number[];
  /**
   * Closes what phase one may close (its partials go out) and answers the rows phase two closed,
   * with parts[i] the repartition partition rows[i] came through.
   */
  advance(now: number): { rows: MetricRow[]; parts: number[]; storms: MetricStorm[] };
  /** The repartition partitions whose alert state this instance holds (restored, not revoked): what it saves. */
  heldParts(): number[];
  oldestOffset(partition: number): number | undefined;
  closedThrough(ruleId: string): number;
  stats(ruleId: string): { series: number; received: number; filtered: number; late: number; dropped: number } | undefined;
}
