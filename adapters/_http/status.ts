// HTTP statuses of search backends mapped to Logfed's error codes through one table, so that
// every network adapter tells a refused query from bad credentials from a busy backend the same
// way, and the fan-out retries only what a retry can fix.

import { LogfedError, type ErrorCode } from '../../src/errors/index.js';

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'BACKEND_ERROR',
  // Credentials and permissions are part of the backend's configuration, not of the query.
  401: 'BAD_CONFIG',
  403: 'BAD_CONFIG',
  404: 'NOT_FOUND',
  408: 'TIMEOUT',
  413: 'BACKEND_ERROR',
  429: 'BACKEND_UNAVAILABLE',
  500: 'BACKEND_ERROR',
  502: 'BACKEND_UNAVAILABLE',
  503: 'BACKEND_UNAVAILABLE',
  504: 'TIMEOUT',
};

export function statusCode(status: number): ErrorCode {
  return STATUS_CODES[status] ?? (status >= 500 ? 'BACKEND_UNAVAILABLE' : 'BACKEND_ERROR');
}

/** An error for a non-2xx answer: `what` names the backend and logstore, `reason` is the backend's own words. */
export function httpError(what: string, status: number, reason: string, opts: { code?: ErrorCode; hint?: string; details?: Record<string, unknown> } = {}): LogfedError {
  const code = opts.code ?? statusCode(status);
  const text = reason.trim().replace(/\s+/g, ' ').slice(0, 500) || `HTTP ${status}`;
  return new LogfedError(code, `${what}: ${text}${opts.hint ? ` (${opts.hint})` : ''}`, { details: { status, ...opts.details } });
}

/**
 * A source answered only in part (failed shards, an incomplete scan). Its hits are withheld: a
 * page that silently lacks events is worse than a source reported failed, which the answer's
 * per-source status shows.
 */
export function partialError(what: string, reason: string, details: Record<string, unknown> = {}): LogfedError {
  return new LogfedError('BACKEND_ERROR', `${what}: partial results: ${reason}`, { details: { partial: true, ...details } });
}
