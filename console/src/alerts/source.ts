// Where the alerts list gets its alerts. A source turns whatever the gateway offers into one
// Alert shape and pushes the current list to the page; the exception scanner's findings, polled,
// are the source today, and an alerts subscription becomes another source beside it.

import { gql } from '../api/client.js';
import { EXCEPTION_FINDINGS, type ExceptionFinding } from '../api/queries.js';

export interface Alert {
  /** Stable across refreshes, so the page can tell new alerts from ones already shown. */
  id: string;
  /** What raised it: `NEW exception`, `SURGE`, or a rule's name. */
  kind: string;
  severity: 'critical' | 'warning' | 'info';
  domain: string;
  app: string;
  title: string;
  message: string;
  /** The first lines of one occurrence, when there is one. */
  detail?: string;
  at: number;
  count?: number;
  baseline?: number;
}

export interface AlertSource {
  /** Shown under the list, so the reader knows what feeds it. */
  readonly description: string;
  /** Calls `update` with the whole current list whenever it may have changed; the answer stops it. */
  start(update: (alerts: Alert[]) => void, fail: (err: Error) => void): () => void;
}

export function findingToAlert(f: ExceptionFinding): Alert {
  return {
    id: `${f.domain}/${f.app}/${f.fingerprint}/${f.windowEnd}`,
    kind: f.kind === 'NEW' ? 'NEW exception' : 'SURGE',
    severity: f.kind === 'SURGE' ? 'critical' : 'warning',
    domain: f.domain,
    app: f.app,
    title: f.type,
    message: f.message,
    detail: f.sample,
    at: Date.parse(f.windowEnd),
    count: f.count,
    baseline: f.baseline,
  };
}

/** The exception scanner's findings of the last `sinceHours`, re-read every `pollMs`. */
export function exceptionFindingsSource(opts: { pollMs?: number; sinceHours?: number } = {}): AlertSource {
  const pollMs = opts.pollMs ?? 30_000;
  const sinceHours = opts.sinceHours ?? 24;
  return {
    description: `exception scanner findings (new and surging exceptions) of the last ${sinceHours} h, refreshed every ${Math.round(pollMs / 1000)} s`,
    start(update, fail) {
      let stopped = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const abort = new AbortController();
      const read = async () => {
        try {
          const since = new Date(Date.now() - sinceHours * 3_600_000).toISOString();
          const data = await gql<{ exceptionFindings: ExceptionFinding[] }>(EXCEPTION_FINDINGS, { since, first: 200 }, abort.signal);
          if (!stopped) update(data.exceptionFindings.map(findingToAlert).sort((a, b) => b.at - a.at));
        } catch (err) {
          if (!stopped) fail(err as Error);
        }
        if (!stopped) timer = setTimeout(read, pollMs);
      };
      void read();
      return () => {
        stopped = true;
        abort.abort();
        clearTimeout(timer);
      };
    },
  };
}
