// Expressions of the compute rules: condition operators, time-of-day ranges and composite formulas.

export * from './conditions.js';
export * from './time-range.js';
export * from './formula.js';
