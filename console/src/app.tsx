// The console's frame: the navigation between search, trace, live tail, patterns and alerts,
// the caller's credentials, and the views themselves — each mounted on its first visit and kept,
// so going to a trace and back leaves the search as it was.

import type { ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { resetSubscriptions } from './api/client.js';
import { loadCredentials, saveCredentials } from './api/endpoint.js';
import { AlertsView, useAlerts } from './alerts/alerts.js';
import { exceptionFindingsSource } from './alerts/source.js';
import { PatternsView } from './patterns/patterns.js';
import { lastHref, useRoute, type Route, type View } from './route.js';
import { SearchView } from './search/search.js';
import { TailView } from './tail/tail.js';
import { TraceView } from './trace/trace.js';

// Swap for an alerts-subscription source once the gateway offers one; the views do not change.
const alertSource = exceptionFindingsSource();

function Credentials({ onClose }: { onClose: () => void }) {
  const [c, setC] = useState(loadCredentials);
  return (
    <form
      class="credentials"
      onSubmit={(e) => {
        e.preventDefault();
        saveCredentials(c);
        resetSubscriptions();
        location.reload();
      }}
    >
      <label>
        user <input name="user" value={c.user} placeholder="x-logfed-user (anonymous callers)" onInput={(e) => setC({ ...c, user: e.currentTarget.value })} />
      </label>
      <label>
        token <input name="token" type="password" value={c.token} placeholder="API key or JWT" onInput={(e) => setC({ ...c, token: e.currentTarget.value })} />
      </label>
      <button type="submit" class="primary">
        Save and reload
      </button>
      <button type="button" onClick={onClose}>
        Cancel
      </button>
      <span class="dim">kept in this browser only</span>
    </form>
  );
}

const NAV: { view: View; label: string }[] = [
  { view: 'search', label: 'Search' },
  { view: 'trace', label: 'Trace' },
  { view: 'tail', label: 'Live tail' },
  { view: 'patterns', label: 'Patterns' },
  { view: 'alerts', label: 'Alerts' },
];

export function App() {
  const route = useRoute();
  const alerts = useAlerts(alertSource);
  const [settings, setSettings] = useState(false);
  // The latest address of each view visited; hidden views keep theirs.
  const routes = useRef<Partial<Record<View, Route>>>({});
  routes.current[route.view] = route;
  const who = loadCredentials();

  const view = (v: View, body: (r: Route) => ComponentChildren) => {
    const r = routes.current[v];
    return r ? (
      <div class="pane" hidden={route.view !== v} key={v}>
        {body(r)}
      </div>
    ) : null;
  };
  return (
    <>
      <nav class="top">
        <a class="brand" href={lastHref('search', routes.current.search?.raw)}>
          logfed
        </a>
        {NAV.map((n) => (
          <a key={n.view} href={lastHref(n.view, routes.current[n.view]?.raw)} class={route.view === n.view ? 'on' : ''} data-view={n.view}>
            {n.label}
            {n.view === 'alerts' && (alerts.alerts?.length ?? 0) > 0 && <span class={`count${alerts.fresh.size ? ' hot' : ''}`}>{alerts.alerts!.length}</span>}
          </a>
        ))}
        <span class="spacer" />
        <a href="/graphiql" target="_blank" rel="noopener">
          GraphiQL
        </a>
        <button type="button" class="link" onClick={() => setSettings(!settings)} title="credentials">
          {who.user || (who.token ? 'token set' : 'anonymous')} ⚙
        </button>
      </nav>
      {settings && <Credentials onClose={() => setSettings(false)} />}
      <main>
        {view('search', (r) => <SearchView route={r} />)}
        {view('trace', (r) => <TraceView route={r} />)}
        {view('tail', (r) => <TailView route={r} />)}
        {view('patterns', (r) => <PatternsView route={r} />)}
        {route.view === 'alerts' && <AlertsView state={alerts} source={alertSource} />}
      </main>
    </>
  );
}
