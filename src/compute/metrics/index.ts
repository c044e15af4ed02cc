// Metric stages: simple metrics over events, processed metrics over rows, composite metrics over
// rows and alerts, and the rule schemas they load.

export * from './row.js';
export * from './schema.js';
export * from './aggregator.js';
export * from './processed.js';
export * from './score.js';
export * from './composite-schema.js';
export * from './composite.js';
