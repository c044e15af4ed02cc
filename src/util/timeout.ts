// Bounds a promise in time: rejects with a TIMEOUT LogfedError carrying `message` after `ms`.
// The underlying work is not cancelled; callers use it for probes whose late answer is ignored.

import { LogfedError } from '../errors/index.js';

export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LogfedError('TIMEOUT', message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
