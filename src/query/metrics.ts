// The query path's Prometheus metrics: queries by outcome, and per backend the target queries by
// status, their latency and their retries. Created on first use so importing costs nothing.

import { counter, histogram } from '../observe/metrics.js';

export const queryMetrics = {
  queries: () => counter('logfed_queries_total', 'Searches answered, by outcome (ok, partial, rejected, error)', ['outcome']),
  querySeconds: () => histogram('logfed_query_duration_seconds', 'Wall time of a search, from input to answer', []),
  targets: () => counter('logfed_query_targets_total', 'Target queries by backend and source status', ['backend', 'status']),
  targetSeconds: () =>
    histogram('logfed_query_target_duration_seconds', 'Wall time of one target query once it ran, by backend and status', ['backend', 'status']),
  retries: () => counter('logfed_query_target_retries_total', 'Backend calls retried after a retriable failure, by backend', ['backend']),
};
