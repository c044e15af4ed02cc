// Phase one of a scale-out task's metrics: every metric rule aggregated per input partition, so each
// partial names the partition its events came from and a replay of that partition can replace it.
// A partition's windows close by that partition's own event time (by the task's watermark once the
// partition is idle), and what closes comes out as partials, with the time each partition is now
// closed through, for scale-out.ts to publish. Pure and synchronous.

import type { LogEvent } from '../../core/event.js';
import { createMetricAggregator, type MetricAggregator, type MetricPartial, type MetricStats, type MetricStorm } from '../metrics/aggregator.js';
import type { MetricRule } from '../metrics/schema.js';
import type { WatermarkTracker } from '../windows/watermark.js';

export interface PhaseOneOutput {
  partials: Array<{ stream: number; partial: MetricPartial }>;
  /** Per partition: the event time its windows are closed through (to be sent after the partials). */
  marks: Map<number, number>;
}

export interface PhaseOne {
  readonly rules: readonly MetricRule[];
  /** Events of one partition (its stream number), offsets[i] being events[i]'s; answers the late ones' indices. */
  push(events: readonly LogEvent[], stream: number, offsets: readonly number[]): number[];
  advance(watermarks: WatermarkTracker, now: number): PhaseOneOutput;
  oldestOffset(stream: number): number | undefined;
  /** A partition this instance no longer owns: its open windows go (the new owner replays them). */
  drop(stream: number): void;
  /** A rule's counts summed over the partitions. */
  stats(ruleId: string): (Pick<MetricStats, 'received' | 'filtered' | 'late' | 'dropped'> & { series: number }) | undefined;
  drainStorms(): MetricStorm[];
}

const printOf = (r: MetricRule) => JSON.stringify(r);

/** `previous` hands over the open windows of rules that did not change. */
export function createPhaseOne(rules: readonly MetricRule[], opts: { allowedLatenessMs: number }, previous?: PhaseOne): PhaseOne {
  const prints = new Map(rules.map((r) => [r.id, printOf(r)]));
  const streams = new Map<number, Map<string, MetricAggregator>>();
  const carried = previous ? handedOver.get(previous) : undefined;
  for (const [stream, aggs] of carried?.streams ?? []) {
    const kept = new Map([...aggs].filter(([id, a]) => prints.get(id) === printOf(a.rule)));
    if (kept.size > 0) streams.set(stream, kept);
  }
  /** Per partition, the offset of the last event pushed. */
  const pushedTo = new Map<number, number>(carried?.pushedTo ?? []);
  /** Counts of partitions' aggregators dropped, so a rule's counts run on. */
  const retired = new Map<string, Counts>(carried?.retired ?? []);
  const retire = (stream: number) => {
    for (const [id, a] of streams.get(stream) ?? []) {
      const s = a.stats();
      const r = retired.get(id) ?? { received: 0, filtered: 0, late: 0, dropped: 0 };
      retired.set(id, { received: r.received + s.received, filtered: r.filtered + s.filtered, late: r.late + s.late, dropped: r.dropped + s.dropped });
    }
    streams.delete(stream);
  };
  const aggsOf = (stream: number) => {
    let aggs = streams.get(stream);
    if (!aggs) streams.set(stream, (aggs = new Map()));
    for (const r of rules) if (!aggs.has(r.id)) aggs.set(r.id, createMetricAggregator(r, { allowedLatenessMs: opts.allowedLatenessMs }));
    return aggs;
  };

  const phase: PhaseOne = {
    rules,
    push(events, stream, offsets) {
      // Offsets behind those already pushed: the partition is read again from its last commit
      // (after a rebalance, Kafka does so even for partitions a member keeps), which never passes
      // an open window's oldest event, so its open windows are rebuilt from scratch.
      const first = offsets[0];
      if (first !== undefined && first <= (pushedTo.get(stream) ?? -1)) retire(stream);
      const last = offsets[offsets.length - 1];
      if (last !== undefined) pushedTo.set(stream, last);
      const late = new Set<number>();
      for (const a of aggsOf(stream).values()) for (const i of a.pushBatch(events, stream, offsets)) late.add(i);
      return [...late].sort((a, b) => a - b);
    },
    advance(watermarks, now) {
      const out: PhaseOneOutput = { partials: [], marks: new Map() };
      const task = watermarks.watermark(now);
      // Every partition the task owns is marked, those without events too once idle, so phase two
      // waits on none of them longer than it must.
      for (const p of watermarks.partitions(now)) {
        const wm = p.idle ? Math.max(p.watermark, task) : p.watermark;
        if (!Number.isFinite(wm)) continue;
        for (const a of streams.get(p.partition)?.values() ?? []) for (const partial of a.advancePartials(wm)) out.partials.push({ stream: p.partition, partial });
        out.marks.set(p.partition, wm);
      }
      return out;
    },
    oldestOffset(stream) {
      let oldest: number | undefined;
      for (const a of streams.get(stream)?.values() ?? []) {
        const o = a.oldestOpenEventOffset(stream);
        if (o !== undefined && (oldest === undefined || o < oldest)) oldest = o;
      }
      return oldest;
    },
    drop(stream) {
      retire(stream);
      pushedTo.delete(stream);
    },
    stats(ruleId) {
      if (!prints.has(ruleId)) return undefined;
      const sum = { received: 0, filtered: 0, late: 0, dropped: 0, ...retired.get(ruleId), series: 0 };
      for (const aggs of streams.values()) {
        const a = aggs.get(ruleId);
        if (!a) continue;
        const s = a.stats();
        sum.received += s.received;
        sum.filtered += s.filtered;
        sum.late += s.late;
        sum.dropped += s.dropped;
        sum.series += s.openSeries;
      }
      return sum;
    },
    drainStorms: () => [...streams.values()].flatMap((aggs) => [...aggs.values()].flatMap((a) => a.drainStorms())),
  };
  handedOver.set(phase, { streams, pushedTo, retired });
  return phase;
}

type Counts = Pick<MetricStats, 'received' | 'filtered' | 'late' | 'dropped'>;
/** What a phase hands to the next rule set's. */
const handedOver = new WeakMap<PhaseOne, { streams: Map<number, Map<string, MetricAggregator>>; pushedTo: Map<number, number>; retired: Map<string, Counts> }>();
