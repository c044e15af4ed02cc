// Alert stage: rule schema, evaluator and the alert record it emits.

export * from './types.js';
export * from './schema.js';
export * from './evaluator.js';
export { alertStateSchema, type AlertEvaluatorState } from './state.js';
export { parseTemplate, renderTemplate } from './template.js';
