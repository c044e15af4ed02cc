// The trace view: one request's hops across domains in time order (`trace(traceId)`, gateway
// mappings followed), each hop with its domain, its own trace id, its time span and its events,
// above a waterfall that shows how the hops line up in time.

import { useEffect, useState } from 'preact/hooks';
import { gql } from '../api/client.js';
import { TRACE, type TraceHop, type TraceResult } from '../api/queries.js';
import { clock, dayClock, duration } from '../lib/time.js';
import type { Route } from '../route.js';
import { EventRow } from '../ui/event.js';
import { ErrorBanner } from '../ui/misc.js';
import { SourcesStrip } from '../ui/sources.js';

/** How far around the time a trace was seen to search for its hops. */
const AROUND_MS = 60 * 60_000;

function span(hop: TraceHop): { first: number; last: number } {
  const times = hop.events.map((e) => Date.parse(e.ts));
  const first = hop.first ? Date.parse(hop.first) : Math.min(...times);
  const last = hop.last ? Date.parse(hop.last) : Math.max(...times);
  return { first, last };
}

function Waterfall({ hops }: { hops: TraceHop[] }) {
  const spans = hops.map(span);
  const start = Math.min(...spans.map((s) => s.first));
  const end = Math.max(...spans.map((s) => s.last));
  const total = Math.max(1, end - start);
  return (
    <div class="waterfall">
      {hops.map((h, i) => {
        const s = spans[i]!;
        const left = ((s.first - start) / total) * 100;
        const width = Math.max(0.5, ((s.last - s.first) / total) * 100);
        return (
          <a key={`${h.domain}/${h.traceId}`} class="wf-row" href={`#hop-${i}`} onClick={(e) => {
            e.preventDefault();
            document.getElementById(`hop-${i}`)?.scrollIntoView({ block: 'start' });
          }}>
            <span class="wf-label">
              <span class="ev-dom">{h.domain}</span>
              {h.traceId}
            </span>
            <span class="wf-track">
              <span class="wf-bar" style={{ left: `${left}%`, width: `${width}%` }} />
            </span>
            <span class="wf-time">+{duration(s.first - start)}</span>
          </a>
        );
      })}
      <div class="axis">
        <span>{clock(start)}</span>
        <span class="caption">{duration(end - start)} across {new Set(hops.map((h) => h.domain)).size} domains</span>
        <span>{clock(end)}</span>
      </div>
    </div>
  );
}

export function TraceView({ route }: { route: Route }) {
  const traceId = route.arg;
  const domain = route.params.get('domain') ?? '';
  const at = route.params.get('at') ?? '';
  const [data, setData] = useState<TraceResult['trace'] | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    if (!traceId) return;
    const abort = new AbortController();
    const seen = at ? Date.parse(at) : NaN;
    const vars: Record<string, unknown> = { traceId };
    if (!Number.isNaN(seen)) {
      vars.from = new Date(seen - AROUND_MS).toISOString();
      vars.to = new Date(Math.min(Date.now(), seen + AROUND_MS)).toISOString();
    }
    setLoading(true);
    setError(null);
    gql<TraceResult>(TRACE, vars, abort.signal)
      .then((d) => setData(d.trace), (err: Error) => !abort.signal.aborted && setError(err))
      .finally(() => !abort.signal.aborted && setLoading(false));
    return () => abort.abort();
  }, [traceId, at]);

  if (!traceId) return <section class="view"><p class="empty">Open a trace from a trace id in the search results or the live tail.</p></section>;
  const hops = data?.hops ?? [];
  return (
    <section class="view trace">
      <header class="trace-head">
        <h2>
          trace <code>{traceId}</code>
        </h2>
        <span class="dim">
          {loading ? 'searching every domain…' : `${hops.length} hops · ${hops.reduce((n, h) => n + h.events.length, 0)} events`}
          {at && ` · searched ${dayClock(Date.parse(at) - AROUND_MS)} – ${dayClock(Math.min(Date.now(), Date.parse(at) + AROUND_MS))}`}
          {domain && ` · seen in ${domain}`}
        </span>
      </header>
      <ErrorBanner error={error} what="trace search" />
      {data && <SourcesStrip sources={data.sources} />}
      {data && hops.length === 0 && <p class="empty">No domain logged this trace id in the searched range.</p>}
      {hops.length > 0 && <Waterfall hops={hops} />}
      {hops.map((h, i) => {
        const s = span(h);
        return (
          <article key={`${h.domain}/${h.traceId}`} class="hop" id={`hop-${i}`} data-domain={h.domain}>
            <h3>
              <span class="hop-n">{i + 1}</span>
              <span class="ev-dom">{h.domain}</span>
              <code>{h.traceId}</code>
              <span class="dim">
                {clock(s.first)} → {clock(s.last)} · {duration(s.last - s.first)} · {h.events.length} events
              </span>
            </h3>
            <div class="events">
              {h.events.map((e, j) => (
                <EventRow key={`${e.ts}-${j}`} event={e} showDomain={false} />
              ))}
            </div>
          </article>
        );
      })}
    </section>
  );
}
