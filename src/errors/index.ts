// One error module for the whole gateway: every error has a stable code, says whether a retry
// may help, and keeps its cause. GraphQL errors carry the code in extensions.code.

export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'BAD_CONFIG'
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'UNAUTHENTICATED'
  | 'LIMIT_EXCEEDED'
  | 'TIMEOUT'
  | 'CANCELLED'
  | 'BACKEND_UNAVAILABLE'
  | 'BACKEND_ERROR'
  | 'CIRCUIT_OPEN'
  | 'SERVICE_UNAVAILABLE'
  | 'CONFLICT'
  | 'INTERNAL';

const RETRIABLE: ReadonlySet<ErrorCode> = new Set(['TIMEOUT', 'BACKEND_UNAVAILABLE', 'SERVICE_UNAVAILABLE']);

export class LogfedError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, opts: { cause?: unknown; retriable?: boolean; details?: Record<string, unknown> } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'LogfedError';
    this.code = code;
    this.retriable = opts.retriable ?? RETRIABLE.has(code);
    this.details = opts.details;
  }

  /** graphql-js copies an original error's `extensions` into the GraphQL error, on every transport. */
  get extensions(): Record<string, unknown> {
    return { ...(this.details ?? {}), code: this.code };
  }
}

export const badInput = (message: string, details?: Record<string, unknown>) =>
  new LogfedError('BAD_USER_INPUT', message, { details });

export function isLogfedError(err: unknown): err is LogfedError {
  return err instanceof LogfedError;
}

/** Wraps anything thrown into a LogfedError, mapping well-known network and driver errors to codes. */
export function toLogfedError(err: unknown, fallback: ErrorCode = 'INTERNAL'): LogfedError {
  if (err instanceof LogfedError) return err;
  if (err instanceof Error) {
    if (err.name === 'AbortError') return new LogfedError('CANCELLED', err.message, { cause: err });
    if (err.name === 'TimeoutError') return new LogfedError('TIMEOUT', err.message, { cause: err });
    const code = (err as NodeJS.ErrnoException).code;
    if (code && BACKEND_CODES[code]) return new LogfedError(BACKEND_CODES[code], `${err.message}`, { cause: err });
    return new LogfedError(fallback, err.message, { cause: err });
  }
  return new LogfedError(fallback, String(err));
}

// Driver and socket error codes mapped to ours: refused or reset connections are worth a retry.
const BACKEND_CODES: Record<string, ErrorCode> = {
  ECONNREFUSED: 'BACKEND_UNAVAILABLE',
  ECONNRESET: 'BACKEND_UNAVAILABLE',
  EHOSTUNREACH: 'BACKEND_UNAVAILABLE',
  ENOTFOUND: 'BACKEND_UNAVAILABLE',
  ETIMEDOUT: 'TIMEOUT',
  EPIPE: 'BACKEND_UNAVAILABLE',
  PROTOCOL_CONNECTION_LOST: 'BACKEND_UNAVAILABLE',
  ER_NO_SUCH_TABLE: 'BACKEND_ERROR',
  ER_PARSE_ERROR: 'BACKEND_ERROR',
  ER_ACCESS_DENIED_ERROR: 'BACKEND_ERROR',
  ENOENT: 'BACKEND_ERROR',
};
