// Affinity's Prometheus metrics: how often batch 1 alone held every matching row (the figure
// that says whether ranking pays off), why ranking fell back to the default order, and what
// training did or dropped. Created on first use so importing costs nothing.

import { counter } from '../observe/metrics.js';

export const affinityMetrics = {
  batch1Hits: () => counter('logfed_affinity_batch1_hits_total', 'Ranked queries whose matching rows all came from batch 1'),
  rankedQueries: () => counter('logfed_affinity_ranked_queries_total', 'Ranked queries whose batch outcome was recorded'),
  fallbacks: () =>
    counter('logfed_affinity_fallbacks_total', 'Rankings that used the default order, by reason (no_user, no_history, store_error, timeout)', ['reason']),
  trainings: () => counter('logfed_affinity_trainings_total', 'Query trainings by outcome (applied, skipped, dropped, failed)', ['outcome']),
  droppedWrites: () => counter('logfed_affinity_writes_dropped_total', 'Affinity rows whose write was dropped because the store was down, by store', ['store']),
};

/**
 * Called once per ranked query after it is answered; hits / ranked is the batch-1 hit rate.
 * Both counters move here so that the ratio is taken over the same queries.
 */
export function recordBatchOutcome(allRowsFromBatch1: boolean): void {
  affinityMetrics.rankedQueries().inc();
  if (allRowsFromBatch1) affinityMetrics.batch1Hits().inc();
}
