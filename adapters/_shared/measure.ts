// What every adapter does around one backend call: count it by outcome and time it under the
// shared adapter metrics, and turn whatever it throws into a LogfedError (mapped by the adapter).

import { toLogfedError, type LogfedError } from '../../src/errors/index.js';
import { counter, histogram } from '../../src/observe/metrics.js';
import type { AdapterCapabilities } from '../../src/query/types.js';

/**
 * Adapters that apply every filter themselves (the backend narrows, an in-process check makes it
 * exact), in the requested order, with positions to resume after.
 */
export const FULL_CAPABILITIES: AdapterCapabilities = Object.freeze({
  pushdown: Object.freeze({ keywords: true, levels: true, traceId: true, regex: true, appFile: true }),
  sorts: true,
  pages: true,
});

const searches = counter('logfed_adapter_searches_total', 'Adapter searches by outcome', ['adapter', 'outcome']);
const seconds = histogram('logfed_adapter_search_seconds', 'Time an adapter spends in one search', ['adapter']);

export async function measured<T>(
  adapter: string,
  run: () => Promise<T>,
  mapError: (err: unknown) => LogfedError = (err) => toLogfedError(err, 'BACKEND_ERROR'),
): Promise<T> {
  const stop = seconds.startTimer({ adapter });
  try {
    const out = await run();
    searches.inc({ adapter, outcome: 'ok' });
    return out;
  } catch (err) {
    const e = mapError(err);
    searches.inc({ adapter, outcome: e.code === 'CANCELLED' ? 'cancelled' : 'error' });
    throw e;
  } finally {
    stop();
  }
}
