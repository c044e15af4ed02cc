// OpenSearch/Elasticsearch answers that are not a clean result, mapped to Logfed errors: HTTP
// errors through the shared status table, refined by the server's error type where that says
// more (a missing index, a field that cannot be sorted); shard failures as a partial source.

import { LogfedError } from '../../src/errors/index.js';
import { httpError, partialError } from '../_http/status.js';

interface ErrorBody {
  error?: string | { type?: string; reason?: string; root_cause?: Array<{ type?: string; reason?: string }>; caused_by?: { type?: string; reason?: string } };
}

export interface ShardInfo {
  total?: number;
  failed?: number;
  failures?: Array<{ index?: string; shard?: number; reason?: { type?: string; reason?: string } }>;
}

/** Hints for configuration mistakes the server reports as a bad request. */
const HINTS: Array<[RegExp, string]> = [
  [/Fielddata access on the _id field is disallowed/i, 'this cluster cannot sort on _id: set the backend\'s tiebreak to a unique keyword field'],
  [/Text fields are not optimised|fielddata is disabled on text fields/i, 'fields.* used for sorting or terms must be keyword or date fields (try the .keyword sub-field)'],
  [/No mapping found for \[[^\]]*\] in order to sort/i, 'check fields.ts and tiebreak'],
];

function describe(body: ErrorBody | undefined, fallback: string): { type?: string; reason: string } {
  const e = body?.error;
  if (typeof e === 'string') return { reason: e };
  const root = e?.root_cause?.[0];
  const reason = [e?.reason, root && root.reason !== e?.reason ? root.reason : undefined, e?.caused_by?.reason].filter(Boolean).join(': ');
  return { type: root?.type ?? e?.type, reason: reason || fallback };
}

export function responseError(what: string, status: number, text: string): LogfedError {
  let body: ErrorBody | undefined;
  try {
    body = JSON.parse(text) as ErrorBody;
  } catch {
    body = undefined;
  }
  const { type, reason } = describe(body, text);
  const details = type ? { errorType: type } : {};
  if (type === 'index_not_found_exception') return httpError(what, status, reason, { code: 'NOT_FOUND', hint: 'check location.index', details });
  const hint = HINTS.find(([re]) => re.test(reason))?.[1];
  if (hint) return httpError(what, status, reason, { code: 'BAD_CONFIG', hint, details });
  if (status === 401 || status === 403) return httpError(what, status, reason, { hint: 'check username/password or apiKey', details });
  return httpError(what, status, reason, { details });
}

/** Throws when some shards failed or timed out: their documents would be missing without a trace. */
export function checkComplete(what: string, body: { _shards?: ShardInfo; timed_out?: boolean }): void {
  const shards = body._shards;
  if (shards?.failed && shards.failed > 0) {
    const first = shards.failures?.[0];
    const why = first?.reason?.reason ?? first?.reason?.type ?? 'no reason given';
    throw partialError(what, `${shards.failed} of ${shards.total ?? '?'} shards failed${first?.index ? ` (index ${first.index})` : ''}: ${why}`, {
      failedShards: shards.failed,
      totalShards: shards.total,
    });
  }
  if (body.timed_out) throw partialError(what, 'the search timed out on some shards', { timedOut: true });
}
