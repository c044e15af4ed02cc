// What every network adapter does around one search: check the request, count and time it under
// the shared adapter metrics, and turn whatever it throws into a LogfedError that names the source.

import { badInput, toLogfedError, type LogfedError } from '../../src/errors/index.js';
import { counter, histogram } from '../../src/observe/metrics.js';
import type { AdapterCapabilities, SearchPage, SearchRequest } from '../../src/query/types.js';
import { throwIfAborted } from './client.js';

/**
 * What the network adapters declare: they apply every filter themselves (the backend query
 * narrows, the in-process check in accept.ts makes it exact), in the requested order, with
 * positions to resume after.
 */
export const CHECKED_CAPABILITIES: AdapterCapabilities = Object.freeze({
  pushdown: Object.freeze({ keywords: true, levels: true, traceId: true, regex: true, appFile: true }),
  sorts: true,
  pages: true,
});

const searches = counter('logfed_adapter_searches_total', 'Adapter searches by outcome', ['adapter', 'outcome']);
const seconds = histogram('logfed_adapter_search_seconds', 'Time an adapter spends in one search', ['adapter']);

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
  return async (req) => {
    const stop = seconds.startTimer({ adapter: kind });
    try {
      checkRequest(req);
      const page = await run(req);
      searches.inc({ adapter: kind, outcome: 'ok' });
      return page;
    } catch (err) {
      const e = mapError(err, req);
      searches.inc({ adapter: kind, outcome: e.code === 'CANCELLED' ? 'cancelled' : 'error' });
      throw e;
    } finally {
      stop();
    }
  };
}
