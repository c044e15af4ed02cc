// The live tail: a `tail` subscription with the search filters, started and paused by hand.
// Lines go through a bounded buffer and reach the screen a few times a second; what the gateway
// or this page had to drop is counted and shown, never silently lost.

import { useEffect, useRef, useState } from 'preact/hooks';
import { subscribe } from '../api/client.js';
import { TAIL, type TailEvent } from '../api/queries.js';
import { splitKeywords } from '../lib/keywords.js';
import { href, replaceRoute, useRouteFromOutside, type Route } from '../route.js';
import { EventRow } from '../ui/event.js';
import { FilterBar, filterInput, filtersFromParams, filtersToParams, type Filters } from '../ui/filters.js';
import { ErrorBanner } from '../ui/misc.js';
import { TailBuffer } from './buffer.js';

/** How often queued lines are put on screen, and how many at most each time. */
const TICK_MS = 150;
const PER_TICK = 500;

type State = 'paused' | 'live' | 'connecting';

export function TailView({ route }: { route: Route }) {
  const [filters, setFilters] = useState<Filters>(() => filtersFromParams(route.params));
  const [state, setState] = useState<State>('paused');
  const [error, setError] = useState<Error | null>(null);
  const [, setFrame] = useState(0);
  const buffer = useRef(new TailBuffer<TailEvent>());
  const stop = useRef<(() => void) | null>(null);
  const list = useRef<HTMLDivElement>(null);
  const follow = useRef(true);
  const [terms, setTerms] = useState<string[]>([]);
  const rate = useRef({ at: performance.now(), received: 0, perSecond: 0 });

  useRouteFromOutside(route, (r) => setFilters(filtersFromParams(r.params)));

  function pause() {
    stop.current?.();
    stop.current = null;
    // What arrived before the pause is shown at once: paused means the screen stops changing.
    buffer.current.drain();
    setFrame((n) => n + 1);
    setState('paused');
  }

  function start(f: Filters = filters) {
    stop.current?.();
    replaceRoute(href('tail', filtersToParams(f)));
    setError(null);
    setTerms(splitKeywords(f.keywords).include);
    setState('connecting');
    // Messages already on the wire when a subscription is stopped still arrive: only the
    // current subscription may add lines or change the state.
    const unsubscribe = subscribe<{ tail: TailEvent }>(TAIL, { filter: filterInput(f) }, {
      next: ({ tail }) => {
        if (stop.current !== unsubscribe) return;
        buffer.current.push(tail);
        setState('live');
      },
      error: (err) => {
        if (stop.current !== unsubscribe) return;
        setError(err);
        stop.current = null;
        setState('paused');
      },
      complete: () => {
        if (stop.current !== unsubscribe) return;
        stop.current = null;
        setState('paused');
      },
    });
    stop.current = unsubscribe;
  }

  // Queued lines go on screen on a timer, not per message: a burst costs one render.
  useEffect(() => {
    const timer = setInterval(() => {
      const now = performance.now();
      const r = rate.current;
      if (now - r.at >= 1000) {
        r.perSecond = ((buffer.current.counts.received - r.received) * 1000) / (now - r.at);
        r.at = now;
        r.received = buffer.current.counts.received;
      }
      if (buffer.current.drain(PER_TICK)) setFrame((n) => n + 1);
    }, TICK_MS);
    return () => {
      clearInterval(timer);
      stop.current?.();
    };
  }, []);

  // Stay at the newest line unless the reader scrolled up to read something.
  useEffect(() => {
    const el = list.current;
    if (el && follow.current) el.scrollTop = el.scrollHeight;
  });

  const b = buffer.current;
  const dropped = b.counts.droppedByServer + b.counts.droppedByBrowser;
  return (
    <section class="view tail">
      <FilterBar value={filters} onChange={setFilters} onSubmit={() => start()}>
        {state === 'paused' ? (
          // Separate elements (keys): a reused <button> that turns from Pause into a submit button
          // during the click would submit the form and start again.
          <button type="button" key="start" class="primary" name="start" onClick={() => start()}>
            ▶ Start
          </button>
        ) : (
          <button type="button" key="pause" class="primary live" name="pause" onClick={pause}>
            ❚❚ Pause
          </button>
        )}
        <button
          type="button"
          name="clear"
          onClick={() => {
            b.clear();
            rate.current = { at: performance.now(), received: 0, perSecond: 0 };
            setFrame((n) => n + 1);
          }}
        >
          Clear
        </button>
      </FilterBar>
      <ErrorBanner error={error} what="live tail" />
      <div class="summary">
        <span class={`tail-state ${state}`} data-state={state}>
          {state === 'live' ? '● live' : state === 'connecting' ? '○ waiting for lines…' : '❚❚ paused'}
        </span>
        <span class="dim" data-testid="tail-count">
          {b.visible.length} lines shown · {b.counts.received} received · {state !== 'live' ? 'not receiving' : rate.current.received > 0 ? `${rate.current.perSecond.toFixed(1)}/s` : 'measuring rate…'}
          {b.visible.length >= b.maxLines && ` · showing the last ${b.maxLines}`}
        </span>
        {dropped > 0 && (
          <span class="dropped" role="status" data-testid="dropped">
            ⚠ {dropped} lines dropped
            {b.counts.droppedByServer > 0 && ` · ${b.counts.droppedByServer} by the gateway (this browser fell behind the stream)`}
            {b.counts.droppedByBrowser > 0 && ` · ${b.counts.droppedByBrowser} by this page (rendering could not keep up)`}
          </span>
        )}
      </div>
      <div
        class="events tail-lines"
        ref={list}
        data-testid="tail-lines"
        onScroll={(e) => {
          const el = e.currentTarget;
          follow.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
        }}
      >
        {b.visible.length === 0 ? (
          <p class="empty">{state === 'paused' ? 'Press Start to stream lines as they are written.' : 'Connected; no line has matched yet.'}</p>
        ) : (
          b.visible.map((e, i) => <EventRow key={b.firstIndex + i} event={e} terms={terms} />)
        )}
      </div>
    </section>
  );
}
