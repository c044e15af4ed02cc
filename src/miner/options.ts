// The miner's one default configuration and the check of caller overrides. Options are checked
// when a miner is built: unknown keys and out-of-range values fail with the field named.

import { badInput } from '../errors/index.js';
import type { MinerOptions } from './types.js';

export const DEFAULT_OPTIONS: Readonly<MinerOptions> = Object.freeze({
  similarity: 0.5,
  maxSiblings: 3,
  maxTokens: 256,
  maxTokenLength: 256,
  maxMessageLength: 64 * 1024,
  maxSampleLength: 512,
  cacheSize: 50_000,
  maxPatterns: 100_000,
});

const RANGES: Record<keyof MinerOptions, [min: number, max: number, integer: boolean]> = {
  similarity: [0, 1, false],
  maxSiblings: [1, 1000, true],
  maxTokens: [1, 65536, true],
  maxTokenLength: [1, 1 << 20, true],
  maxMessageLength: [1, 1 << 30, true],
  maxSampleLength: [0, 1 << 20, true],
  cacheSize: [0, 1 << 24, true],
  maxPatterns: [1, 1 << 24, true],
};

export function resolveOptions(overrides: Partial<MinerOptions> = {}): MinerOptions {
  const out: MinerOptions = { ...DEFAULT_OPTIONS };
  for (const [key, value] of Object.entries(overrides)) {
    if (!(key in RANGES)) {
      throw badInput(`miner option "${key}" is unknown; expected one of ${Object.keys(RANGES).join(', ')}`);
    }
    if (value === undefined) continue;
    const [min, max, integer] = RANGES[key as keyof MinerOptions];
    if (typeof value !== 'number' || Number.isNaN(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      throw badInput(
        `miner option "${key}" expected ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got ${JSON.stringify(value)}`,
      );
    }
    out[key as keyof MinerOptions] = value;
  }
  return out;
}
