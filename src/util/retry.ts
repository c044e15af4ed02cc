// Retries: `retry` runs an operation again after a jittered, growing pause, but only when
// the failure says a retry may help (LogfedError.retriable). Used by the query fan-out around
// each backend call; the caller's AbortSignal stops both the pauses and further attempts.
// `untilDonePause` paces the compute core's writes that are tried until they are done.

import { toLogfedError } from '../errors/index.js';

export interface RetryOptions {
  /** Further attempts after the first one. */
  retries: number;
  /** The pause before the first retry, doubled for each one after it, before jitter. */
  baseMs: number;
  /** The largest pause, before jitter. */
  maxMs: number;
  signal?: AbortSignal;
  /** Decides whether a failure is worth another attempt; by default the error's `retriable`. */
  isRetriable?: (err: unknown) => boolean;
  /** Called before each pause; for logs and metrics. */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  /** Source of jitter in [0, 1); injectable so tests can pin the pauses. */
  random?: () => number;
}

const defaultRetriable = (err: unknown) => toLogfedError(err).retriable;

/**
 * "Full jitter" (a uniformly random pause up to the exponential cap): many callers that failed
 * together spread out instead of retrying in lockstep against a backend that is recovering.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const cap = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.floor(random() * cap);
}

export async function retry<T>(op: (attempt: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  checkOptions(opts);
  const isRetriable = opts.isRetriable ?? defaultRetriable;
  for (let attempt = 0; ; attempt++) {
    opts.signal?.throwIfAborted();
    try {
      return await op(attempt);
    } catch (err) {
      if (attempt >= opts.retries || opts.signal?.aborted || !isRetriable(err)) throw err;
      const delay = backoffDelay(attempt, opts.baseMs, opts.maxMs, opts.random);
      opts.onRetry?.(err, attempt + 1, delay);
      await sleep(delay, opts.signal);
    }
  }
}

/**
 * The pause after failed attempt `attempt` (from 0) of work that is tried until it is done, such as
 * writing closed windows' results: 200 ms, doubling up to 5 s.
 */
export function untilDonePause(attempt: number): Promise<void> {
  return sleep(Math.min(5_000, 200 * 2 ** attempt));
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it is aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function checkOptions(opts: RetryOptions): void {
  for (const key of ['retries', 'baseMs', 'maxMs'] as const) {
    const v = opts[key];
    if (!Number.isFinite(v) || v < 0) {
      throw new TypeError(`retry option ${key} must be a finite number >= 0, got ${String(v)}`);
    }
  }
}
