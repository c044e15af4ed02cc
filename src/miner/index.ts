// The template miner's public surface: build or restore a miner, fingerprint exceptions, and
// the shapes they speak in. Callers (the compute stage, the scanner) import from here only.

export { createMiner, restoreMiner, type Miner } from './drain.js';
export { fingerprintException, type ExceptionFingerprint } from './fingerprint.js';
export { DEFAULT_OPTIONS } from './options.js';
export { WILDCARD } from './types.js';
export type { Change, MineResult, MinerOptions, MinerState, MinerStats, PatternInfo, PatternState } from './types.js';
