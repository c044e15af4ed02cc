// The Prometheus registry that every stage and adapter registers its counters and timers in.
// Served as text on GET /metrics. Helpers create a metric once per name, so modules that are
// loaded twice (tests, several server instances in one process) share it instead of throwing.

import client from 'prom-client';

export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry, prefix: 'logfed_process_' });

function getOrCreate<T>(name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}

/**
 * Live objects that metrics read when /metrics is scraped. `define` creates those metrics once
 * (unless the registry already has `firstName`), their collect() reading the sources; the function
 * returned adds a source until the remover it returns is called.
 */
export function scrapedSources<S>(firstName: string, define: (sources: ReadonlySet<S>) => void): (source: S) => () => void {
  const sources = new Set<S>();
  return (source) => {
    if (!registry.getSingleMetric(firstName)) define(sources);
    sources.add(source);
    return () => sources.delete(source);
  };
}

export function counter(name: string, help: string, labelNames: string[] = []): client.Counter<string> {
  return getOrCreate(name, () => new client.Counter({ name, help, labelNames, registers: [registry] }));
}

export function gauge(name: string, help: string, labelNames: string[] = []): client.Gauge<string> {
  return getOrCreate(name, () => new client.Gauge({ name, help, labelNames, registers: [registry] }));
}

export function histogram(
  name: string,
  help: string,
  labelNames: string[] = [],
  buckets: number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
): client.Histogram<string> {
  return getOrCreate(name, () => new client.Histogram({ name, help, labelNames, buckets, registers: [registry] }));
}
