// Clock-aligned windows, watermarks and durations shared by the windowed compute stages.

export * from './period.js';
export * from './duration.js';
export * from './watermark.js';
export * from './window-set.js';
