// SLS error answers ({"errorCode", "errorMessage"}) mapped to Logfed errors: the error code says
// more than the status (a wrong key and a wrong project are both 401/404 but need different
// fixes; a read quota is a 403 worth retrying), so it is looked up first.

import type { ErrorCode } from '../../src/errors/index.js';
import type { LogfedError } from '../../src/errors/index.js';
import { httpError } from '../_http/status.js';

const CODES: Record<string, { code: ErrorCode; hint?: string }> = {
  SignatureNotMatch: { code: 'BAD_CONFIG', hint: 'check accessKeyId and accessKeySecret' },
  Unauthorized: { code: 'BAD_CONFIG', hint: 'check the key\'s permissions on the project' },
  InvalidAccessKeyId: { code: 'BAD_CONFIG', hint: 'check accessKeyId' },
  SecurityTokenExpired: { code: 'BAD_CONFIG', hint: 'renew securityToken' },
  'SecurityToken.Expired': { code: 'BAD_CONFIG', hint: 'renew securityToken' },
  ProjectNotExist: { code: 'BAD_CONFIG', hint: 'check project and endpoint' },
  LogStoreNotExist: { code: 'NOT_FOUND', hint: 'check location.logstore' },
  IndexConfigNotExist: { code: 'BAD_CONFIG', hint: 'the logstore has no index: create one, or set index.fullText and index.fields to false' },
  ReadQuotaExceed: { code: 'BACKEND_UNAVAILABLE' },
  QpsLimitExceeded: { code: 'BACKEND_UNAVAILABLE' },
  ExceedQuota: { code: 'BACKEND_UNAVAILABLE' },
  ServerBusy: { code: 'BACKEND_UNAVAILABLE' },
  InternalServerError: { code: 'BACKEND_UNAVAILABLE' },
  RequestTimeout: { code: 'TIMEOUT' },
};

export function slsError(what: string, status: number, text: string): LogfedError {
  let body: { errorCode?: string; errorMessage?: string } | undefined;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const errorCode = body?.errorCode;
  const known = errorCode ? CODES[errorCode] : undefined;
  const reason = errorCode ? `${errorCode}: ${body?.errorMessage ?? ''}` : text;
  return httpError(what, status, reason, { ...(known ? { code: known.code, hint: known.hint } : {}), details: errorCode ? { errorCode } : {} });
}
