// Shapes errors for HTTP responses. Codes already travel in extensions (LogfedError exposes
// them to graphql-js on both transports). Apollo re-labels every validation error
// GRAPHQL_VALIDATION_FAILED; a code our own rules set (LIMIT_EXCEEDED) is put back so both
// transports answer alike. Internal errors keep their message out of the response.

import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { isLogfedError } from '../errors/index.js';
import { log } from '../observe/logger.js';

export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (isLogfedError(original) && original.code === 'INTERNAL') {
    log.error({ err: original }, 'internal error');
    return { ...formatted, message: 'internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  }
  const inner = original instanceof GraphQLError ? original.originalError : undefined;
  const ownCode = inner instanceof GraphQLError ? inner.extensions?.code : undefined;
  if (typeof ownCode === 'string' && ownCode !== formatted.extensions?.code) {
    return { ...formatted, extensions: { ...formatted.extensions, code: ownCode } };
  }
  return formatted;
}
