// The one place the compute core gets its bus from: configuration picks Kafka or the in-process
// bus, and everything downstream sees only the Bus interface (types.ts).

import { busConfigSchema, parseBusConfig, type BusConfigInput } from './config.js';
import { createKafkaBus } from './kafka.js';
import { createMemoryBus } from './memory.js';
import type { Bus } from './types.js';

export function createBus(config: BusConfigInput): Bus {
  const parsed = parseBusConfig(busConfigSchema, config);
  if (parsed.kind === 'kafka') {
    const { kind: _kind, ...options } = parsed;
    return createKafkaBus(options);
  }
  const { kind: _kind, ...options } = parsed;
  return createMemoryBus(options);
}

export type { BusConfigInput, KafkaBusOptions, MemoryBusOptions } from './config.js';
export { createKafkaBus } from './kafka.js';
export { createMemoryBus } from './memory.js';
export { deadLetter, deadLetters, DEAD_LETTER_HEADERS } from './dead-letter.js';
export { keyOnPartition, partitionForKey } from './partitioner.js';
export type * from './types.js';
