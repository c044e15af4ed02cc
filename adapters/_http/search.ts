// What every network adapter does around one search: check the request, count and time it under
// the shared adapter metrics, and turn whatever it throws into a LogfedError that names the source.

import { badInput, toLogfedError, type LogfedError } from '../../src/errors/index.js';
import type { SearchPage, SearchRequest } from '../../src/query/types.js';
import { FULL_CAPABILITIES, measured } from '../_shared/measure.js';
import { throwIfAborted } from './client.js';

/** What the network adapters declare: the in-process check in accept.ts makes every filter exact. */
export const CHECKED_CAPABILITIES = FULL_CAPABILITIES;

export function checkRequest(req: SearchRequest): void {
  if (!Number.isInteger(req.limit) || req.limit < 0) throw badInput(`limit: expected a whole number >= 0, got ${req.limit}`);
  if (req.order !== 'asc' && req.order !== 'desc') throw badInput(`order: expected "asc" or "desc", got ${JSON.stringify(req.order)}`);
  throwIfAborted(req.signal);
}

export function instrument(
  kind: string,
  run: (req: SearchRequest) => Promise<SearchPage>,
  mapError: (err: unknown, req: SearchRequest) => LogfedError = (err) => toLogfedError(err, 'BACKEND_ERROR'),
): (req: SearchRequest) => Promise<SearchPage> {
  return (req) =>
    measured(
      kind,
      () => {
        checkRequest(req);
        return run(req);
      },
      (err) => mapError(err, req),
    );
}
