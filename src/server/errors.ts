// Shapes errors for HTTP responses. Codes already travel in extensions (LogfedError exposes
// them to graphql-js on both transports); internal errors keep their message out of the
// response and go to the log instead.

import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { isLogfedError } from '../errors/index.js';
import { log } from '../observe/logger.js';

export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (isLogfedError(original) && original.code === 'INTERNAL') {
    log.error({ err: original }, 'internal error');
    return { ...formatted, message: 'internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  }
  return formatted;
}
