// Cancellation for the file adapter: one error shape for a search whose caller gave up, so the
// gateway can tell a cancelled source from a failed one.

import { LogfedError } from '../../src/errors/index.js';

export function cancelled(signal: AbortSignal): LogfedError {
  const reason: unknown = signal.reason;
  return new LogfedError('CANCELLED', 'search cancelled', { cause: reason });
}

export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw cancelled(signal);
}
