// The sls adapter: searches an Aliyun Log Service (SLS) logstore through GetLogs, signed with
// signature V1 (sign.ts). Whole keyword tokens and field queries narrow the search on the
// server; every log is re-checked in process, so keywords stay exact substrings and the regex
// and exclusions apply. SLS pages by whole seconds, so each second is gathered and ordered in
// process (walk.ts); an answer SLS marks Incomplete is asked again, then reported partial.

import { LogfedError } from '../../src/errors/index.js';
import type { Adapter, Hit, SearchPage, SearchRequest } from '../../src/query/types.js';
import { backoffDelay, sleep } from '../../src/util/retry.js';
import { acceptFor } from '../_http/accept.js';
import { createHttpClient, throwIfAborted } from '../_http/client.js';
import { parseAdapterConfig, parseLocation } from '../_http/config.js';
import { decodePosition, encodePosition } from '../_http/position.js';
import { CHECKED_CAPABILITIES, instrument } from '../_http/search.js';
import { partialError } from '../_http/status.js';
import { DEFAULT_FIELDS, SlsConfigSchema, SlsLocationSchema, endpointOf, type SlsAdapterConfig } from './config.js';
import { slsError } from './errors.js';
import { toEvent, type SlsLog } from './logs.js';
import { buildQuery } from './query.js';
import { signedHeaders } from './sign.js';
import { walk, type LogKey } from './walk.js';

export type { SlsAdapterConfig, SlsLocation } from './config.js';

const POS_TAG = 's1';

export function encodeLogPosition(key: LogKey): string {
  return encodePosition(POS_TAG, key);
}

export function decodeLogPosition(pos: string): LogKey {
  return decodePosition(POS_TAG, pos, 'sls', 'nsn') as LogKey;
}

export function createSlsAdapter(config: SlsAdapterConfig): Adapter {
  const cfg = parseAdapterConfig('sls', SlsConfigSchema, config);
  const fields = { ...DEFAULT_FIELDS, ...cfg.fields };
  const endpoint = endpointOf(cfg);
  const http = createHttpClient({ url: endpoint.url, timeoutMs: cfg.timeoutMs, name: 'sls' });
  const what = (logstore: string) => `sls ${endpoint.host} logstore ${logstore}`;

  /** One GetLogs call, asked again while SLS says its answer is incomplete. */
  const getLogs = async (logstore: string, params: Record<string, string>, signal: AbortSignal): Promise<SlsLog[]> => {
    const path = `/logstores/${logstore}`;
    for (let attempt = 0; ; attempt++) {
      throwIfAborted(signal);
      const headers = signedHeaders({
        method: 'GET',
        path,
        params,
        host: endpoint.host,
        date: new Date(),
        accessKeyId: cfg.accessKeyId,
        accessKeySecret: cfg.accessKeySecret,
        securityToken: cfg.securityToken,
      });
      const res = await http.request({ path, query: params, headers, signal });
      if (res.status !== 200) throw slsError(what(logstore), res.status, res.text);
      if (res.headers['x-log-progress'] !== 'Incomplete') {
        let logs: unknown;
        try {
          logs = JSON.parse(res.text);
        } catch {
          logs = undefined;
        }
        if (!Array.isArray(logs)) throw new LogfedError('BACKEND_ERROR', `${what(logstore)}: expected a JSON array of logs, got ${res.text.slice(0, 200)}`);
        return logs as SlsLog[];
      }
      if (attempt >= cfg.maxRetries) {
        throw partialError(what(logstore), `SLS answered x-log-progress: Incomplete ${attempt + 1} times`, { progress: 'Incomplete', attempts: attempt + 1 });
      }
      await sleep(backoffDelay(attempt, cfg.retryBaseMs, cfg.retryBaseMs * 16), signal).catch(() => throwIfAborted(signal));
    }
  };

  const search = async (req: SearchRequest): Promise<SearchPage> => {
    const { target, filter, order, signal } = req;
    const loc = parseLocation(SlsLocationSchema, target.logstore);
    const after = req.after === undefined ? undefined : decodeLogPosition(req.after);
    if (filter.from >= filter.to) return { hits: [], done: true };
    const query = buildQuery(target, filter, fields, cfg.index);
    const accept = acceptFor(target, filter);
    const need = req.limit + 1;
    const out: Hit[] = [];
    await walk({
      order,
      fromMs: filter.from,
      toMs: filter.to,
      after,
      need,
      fetch: (from, to, offset, line, reverse) =>
        getLogs(
          loc.logstore,
          {
            type: 'log',
            from: String(from),
            to: String(to),
            line: String(line),
            offset: String(offset),
            reverse: String(reverse),
            ...(query ? { query } : {}),
            ...(loc.topic !== undefined ? { topic: loc.topic } : {}),
          },
          signal,
        ),
      take: (log, key) => {
        const event = toEvent(log, target, fields);
        if (!accept(event)) return false;
        out.push({ event, pos: encodeLogPosition(key) });
        return true;
      },
    });
    return { hits: out.slice(0, req.limit), done: out.length <= req.limit };
  };

  return {
    kind: 'sls',
    capabilities: CHECKED_CAPABILITIES,
    search: instrument('sls', search),
    async close() {
      http.close();
    },
  };
}
