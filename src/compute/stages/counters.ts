// Counts for every stage and rule of a pipeline, kept as plain numbers on the hot path and
// published to Prometheus when the registry is scraped (a labelled prom-client increment per
// event would cost more than some stages do).

import client from 'prom-client';
import { registry, scrapedSources } from '../../observe/metrics.js';

export type StageName = 'decode' | 'identify' | 'multiline' | 'parse' | 'mask' | 'process';

export interface StageCounts {
  received: number;
  emitted: number;
  dropped: number;
  failed: number;
  /** Finer outcomes: truncated, binary, invalidUtf8, unrecognised, skipped... */
  detail: Record<string, number>;
}

export interface RuleCounts {
  kind: string;
  version: number;
  processed: number;
  emitted: number;
  dropped: number;
  failed: number;
  /**
   * Time spent in the rule over the calls that were timed (`timed` of them: one record in
   * TIMING_EVERY is timed, since reading the clock for every call would cost more than some rules).
   * Mean latency is ms / timed.
   */
  timed: number;
  ms: number;
  maxMs: number;
}

export const TIMING_EVERY = 8;

export const newRuleCounts = (kind: string, version: number): RuleCounts => ({
  kind, version, processed: 0, emitted: 0, dropped: 0, failed: 0, timed: 0, ms: 0, maxMs: 0,
});

export const newStageCounts = (): StageCounts => ({ received: 0, emitted: 0, dropped: 0, failed: 0, detail: {} });

export function bump(counts: StageCounts, detail: string, n = 1): void {
  counts.detail[detail] = (counts.detail[detail] ?? 0) + n;
}

export interface CountSource {
  name: string;
  stages: Record<StageName, StageCounts>;
  rules: Map<string, RuleCounts>;
}

/** Publishes a pipeline's counts until the returned function is called. */
export const publishCounts = scrapedSources<CountSource>('logfed_compute_stage_events_total', (sources) => {
  new client.Counter({
    name: 'logfed_compute_stage_events_total',
    help: 'Records and events through each compute stage by outcome (received, emitted, dropped, failed, or a detail).',
    labelNames: ['pipeline', 'stage', 'outcome'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of sources) {
        for (const [stage, c] of Object.entries(s.stages)) {
          for (const outcome of ['received', 'emitted', 'dropped', 'failed'] as const) this.inc({ pipeline: s.name, stage, outcome }, c[outcome]);
          for (const [outcome, n] of Object.entries(c.detail)) this.inc({ pipeline: s.name, stage, outcome }, n);
        }
      }
    },
  });
  new client.Counter({
    name: 'logfed_compute_rule_events_total',
    help: 'Events through each compute rule by outcome.',
    labelNames: ['pipeline', 'rule', 'kind', 'outcome'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of sources) {
        for (const [rule, c] of s.rules) {
          for (const outcome of ['processed', 'emitted', 'dropped', 'failed'] as const) this.inc({ pipeline: s.name, rule, kind: c.kind, outcome }, c[outcome]);
        }
      }
    },
  });
  new client.Counter({
    name: 'logfed_compute_rule_seconds_total',
    help: 'Time spent in each compute rule, estimated from the timed calls (mean of the timed calls x processed).',
    labelNames: ['pipeline', 'rule', 'kind'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of sources) {
        for (const [rule, c] of s.rules) if (c.timed > 0) this.inc({ pipeline: s.name, rule, kind: c.kind }, (c.ms / c.timed / 1000) * Math.max(c.processed, c.timed));
      }
    },
  });
});
