// The alerts list: whatever the configured AlertSource reports, newest first, with the alerts
// that appeared since the page opened marked. The source decides where alerts come from.

import { useEffect, useRef, useState } from 'preact/hooks';
import { ago, dayClock } from '../lib/time.js';
import { href } from '../route.js';
import { ErrorBanner } from '../ui/misc.js';
import type { Alert, AlertSource } from './source.js';

export interface AlertsState {
  alerts: Alert[] | null;
  /** Ids first reported after the first read: what is new while the page was open. */
  fresh: ReadonlySet<string>;
  error: Error | null;
  updatedAt: number | null;
}

export function useAlerts(source: AlertSource): AlertsState {
  const [state, setState] = useState<AlertsState>({ alerts: null, fresh: new Set(), error: null, updatedAt: null });
  const known = useRef<Set<string> | null>(null);
  useEffect(
    () =>
      source.start(
        (alerts) => {
          const before = known.current;
          const fresh = new Set(before ? alerts.filter((a) => !before.has(a.id)).map((a) => a.id) : []);
          known.current = new Set([...(before ?? []), ...alerts.map((a) => a.id)]);
          setState((s) => ({ alerts, fresh: new Set([...s.fresh, ...fresh]), error: null, updatedAt: Date.now() }));
        },
        (error) => setState((s) => ({ ...s, error })),
      ),
    [source],
  );
  return state;
}

function AlertRow({ a, fresh, now }: { a: Alert; fresh: boolean; now: number }) {
  const [open, setOpen] = useState(false);
  return (
    <li class={`alert sev-${a.severity}${fresh ? ' fresh' : ''}`} data-id={a.id}>
      <button type="button" class="alert-head" aria-expanded={open} onClick={() => setOpen(!open)}>
        <span class="badge kind">{a.kind}</span>
        <span class="alert-where">
          {a.domain}/{a.app}
        </span>
        <span class="alert-title">{a.title}</span>
        {a.count !== undefined && (
          <span class="alert-count" title="count in the window, against the mean of the windows before">
            {a.count}
            {a.baseline !== undefined && <small> vs {a.baseline.toFixed(1)}</small>}
          </span>
        )}
        <time class="dim nowrap" dateTime={new Date(a.at).toISOString()} title={dayClock(a.at)}>
          {ago(a.at, now)}
        </time>
      </button>
      {open && (
        <div class="alert-body">
          <p>{a.message}</p>
          {a.detail && <pre>{a.detail}</pre>}
          <a href={href('search', { domain: a.domain, app: a.app, levels: ['ERROR'] })}>search this app's errors →</a>
        </div>
      )}
    </li>
  );
}

export function AlertsView({ state, source }: { state: AlertsState; source: AlertSource }) {
  const now = Date.now();
  return (
    <section class="view alerts">
      <div class="summary">
        <b>alerts</b>
        <span class="dim">
          from {source.description}
          {state.updatedAt && ` · read ${ago(state.updatedAt, now)}`}
        </span>
      </div>
      <ErrorBanner error={state.error} what="reading alerts" />
      {state.alerts === null && !state.error && <p class="empty">loading…</p>}
      {state.alerts?.length === 0 && <p class="empty">Nothing to report: no alert in this span.</p>}
      <ul class="alert-list" data-testid="alerts">
        {state.alerts?.map((a) => <AlertRow key={a.id} a={a} fresh={state.fresh.has(a.id)} now={now} />)}
      </ul>
    </section>
  );
}
