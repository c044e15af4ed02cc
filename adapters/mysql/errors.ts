// Maps MySQL/MariaDB driver errors to Logfed's error codes through one table, so the gateway can
// tell a bad logstore definition from a busy or unreachable server, and retry only the latter.

import { LogfedError, toLogfedError, type ErrorCode } from '../../src/errors/index.js';

const DRIVER_CODES: Record<string, ErrorCode> = {
  ER_NO_SUCH_TABLE: 'NOT_FOUND',
  ER_BAD_FIELD_ERROR: 'BAD_CONFIG',
  ER_BAD_DB_ERROR: 'BAD_CONFIG',
  ER_NO_DB_ERROR: 'BAD_CONFIG',
  ER_FT_MATCHING_KEY_NOT_FOUND: 'BAD_CONFIG',
  ER_COLLATION_CHARSET_MISMATCH: 'BAD_CONFIG',
  ER_CANT_AGGREGATE_2COLLATIONS: 'BAD_CONFIG',
  ER_ACCESS_DENIED_ERROR: 'BAD_CONFIG',
  ER_DBACCESS_DENIED_ERROR: 'BAD_CONFIG',
  ER_TABLEACCESS_DENIED_ERROR: 'BAD_CONFIG',
  ER_QUERY_INTERRUPTED: 'CANCELLED',
  ER_STATEMENT_TIMEOUT: 'TIMEOUT',
  ER_QUERY_TIMEOUT: 'TIMEOUT',
  PROTOCOL_SEQUENCE_TIMEOUT: 'TIMEOUT',
  ER_LOCK_WAIT_TIMEOUT: 'BACKEND_UNAVAILABLE',
  ER_LOCK_DEADLOCK: 'BACKEND_UNAVAILABLE',
  ER_CON_COUNT_ERROR: 'BACKEND_UNAVAILABLE',
  ER_TOO_MANY_USER_CONNECTIONS: 'BACKEND_UNAVAILABLE',
  ER_SERVER_SHUTDOWN: 'BACKEND_UNAVAILABLE',
  PROTOCOL_CONNECTION_LOST: 'BACKEND_UNAVAILABLE',
  ECONNREFUSED: 'BACKEND_UNAVAILABLE',
  ECONNRESET: 'BACKEND_UNAVAILABLE',
  EHOSTUNREACH: 'BACKEND_UNAVAILABLE',
  ENOTFOUND: 'BACKEND_UNAVAILABLE',
  EPIPE: 'BACKEND_UNAVAILABLE',
  ETIMEDOUT: 'TIMEOUT',
};

const HINTS: Partial<Record<string, string>> = {
  ER_FT_MATCHING_KEY_NOT_FOUND: 'location.fulltext needs a FULLTEXT index on the message column',
  ER_NO_SUCH_TABLE: 'check location.table',
  ER_BAD_FIELD_ERROR: 'check location.columns',
};

/** Wraps a driver error (or passes a LogfedError through) with the table it concerned. */
export function mysqlAdapterError(err: unknown, table?: string): LogfedError {
  if (err instanceof LogfedError) return err;
  const code = (err as { code?: string } | undefined)?.code;
  const mapped = code ? DRIVER_CODES[code] : undefined;
  if (!mapped) return toLogfedError(err, 'BACKEND_ERROR');
  const message = (err as Error).message || code!;
  const hint = HINTS[code!];
  return new LogfedError(mapped, `mysql${table ? ` table ${table}` : ''}: ${message}${hint ? ` (${hint})` : ''}`, {
    cause: err,
    details: { driverCode: code, ...(table ? { table } : {}) },
  });
}
