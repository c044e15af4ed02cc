// The search view: filters and a time range become one `logs` query; results come in time
// order, page by page through the cursor, with the per-source status and a histogram of what
// has been loaded. The filters live in the address so a search can be shared and reloaded.

import { useEffect, useRef, useState } from 'preact/hooks';
import { gql } from '../api/client.js';
import { LOGS, type LogEvent, type LogsPage, type Source } from '../api/queries.js';
import { splitKeywords } from '../lib/keywords.js';
import { PRESETS, dayClock, resolveRange, toLocalInput, type RangeId, type TimeRange } from '../lib/time.js';
import { href, replaceRoute, useRouteFromOutside, type Route } from '../route.js';
import { EventRow } from '../ui/event.js';
import { FilterBar, filterInput, filtersFromParams, filtersToParams, type Filters } from '../ui/filters.js';
import { ErrorBanner } from '../ui/misc.js';
import { SourcesStrip } from '../ui/sources.js';
import { Histogram } from './histogram.js';

const PAGE = 200;

type Order = 'DESC' | 'ASC';
type Strategy = 'AFFINITY' | 'ALL';

interface Settings {
  filters: Filters;
  range: RangeId;
  custom: { from: string; to: string };
  order: Order;
  strategy: Strategy;
}

interface Result {
  range: TimeRange;
  /** The query as sent, for `after` pages. */
  variables: Record<string, unknown>;
  events: LogEvent[];
  sources: Source[];
  pages: number;
  hasNextPage: boolean;
  endCursor?: string | null;
  batch: number;
  batches: number;
  hasMoreBatches: boolean;
  order: Order;
  ms: number;
}

function settingsFrom(p: URLSearchParams): Settings {
  const range = (p.get('range') ?? '1h') as RangeId;
  return {
    filters: filtersFromParams(p),
    range: range === 'custom' || PRESETS.some((x) => x.id === range) ? range : '1h',
    custom: { from: p.get('from') ?? '', to: p.get('to') ?? '' },
    order: p.get('order') === 'ASC' ? 'ASC' : 'DESC',
    strategy: p.get('strategy') === 'ALL' ? 'ALL' : 'AFFINITY',
  };
}

function settingsHref(s: Settings): string {
  const custom = s.range === 'custom' ? s.custom : { from: '', to: '' };
  return href('search', {
    ...filtersToParams(s.filters),
    range: s.range === '1h' ? '' : s.range,
    ...custom,
    order: s.order === 'DESC' ? '' : s.order,
    strategy: s.strategy === 'AFFINITY' ? '' : s.strategy,
  });
}

/** The part of the range the loaded pages cover: pages run from one end, more may follow. */
function covered(r: Result): TimeRange {
  if (!r.hasNextPage || r.events.length === 0) return r.hasNextPage ? { from: r.range.to, to: r.range.to } : r.range;
  const edge = Date.parse(r.events[r.events.length - 1]!.ts);
  return r.order === 'ASC' ? { from: r.range.from, to: edge } : { from: edge, to: r.range.to };
}

/** The part of a result one page decides. */
function fromPage(logs: LogsPage['logs'], started: number) {
  return {
    sources: logs.sources,
    hasNextPage: logs.pageInfo.hasNextPage,
    endCursor: logs.pageInfo.endCursor,
    batch: logs.batch,
    batches: logs.batches,
    hasMoreBatches: logs.hasMoreBatches,
    ms: Math.round(performance.now() - started),
  };
}

function inTimeOrder(events: LogEvent[], order: Order): LogEvent[] {
  const sign = order === 'ASC' ? 1 : -1;
  return events.sort((a, b) => sign * (Date.parse(a.ts) - Date.parse(b.ts)));
}

function RangePicker(props: { s: Settings; set: (patch: Partial<Settings>) => void }) {
  const { s, set } = props;
  return (
    <span class="range" role="group" aria-label="time range">
      {PRESETS.map((p) => (
        <button type="button" key={p.id} class={s.range === p.id ? 'on' : ''} aria-pressed={s.range === p.id} onClick={() => set({ range: p.id })}>
          {p.label}
        </button>
      ))}
      <button
        type="button"
        class={s.range === 'custom' ? 'on' : ''}
        aria-pressed={s.range === 'custom'}
        onClick={() => set({ range: 'custom', custom: s.custom.from ? s.custom : { from: toLocalInput(Date.now() - 3_600_000), to: '' } })}
      >
        custom
      </button>
      {s.range === 'custom' && (
        <>
          <input type="datetime-local" name="from" value={s.custom.from} onInput={(e) => set({ custom: { ...s.custom, from: e.currentTarget.value } })} />
          <span class="dim">→</span>
          <input type="datetime-local" name="to" value={s.custom.to} title="empty: now" onInput={(e) => set({ custom: { ...s.custom, to: e.currentTarget.value } })} />
        </>
      )}
    </span>
  );
}

export function SearchView({ route }: { route: Route }) {
  const [s, setS] = useState<Settings>(() => settingsFrom(route.params));
  const [result, setResult] = useState<Result | null>(null);
  const [loading, setLoading] = useState<'search' | 'more' | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const inflight = useRef<AbortController | null>(null);
  const set = (patch: Partial<Settings>) => setS((old) => ({ ...old, ...patch }));

  async function run(settings: Settings) {
    inflight.current?.abort();
    const abort = (inflight.current = new AbortController());
    replaceRoute(settingsHref(settings));
    setError(null);
    setLoading('search');
    const started = performance.now();
    try {
      const range = resolveRange(settings.range, settings.custom, Date.now());
      const query = { ...filterInput(settings.filters), from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString(), order: settings.order };
      const variables = { query, first: PAGE, strategy: settings.strategy };
      const { logs } = await gql<LogsPage>(LOGS, variables, abort.signal);
      setResult({ range, variables, order: settings.order, events: logs.edges.map((e) => e.node), pages: 1, ...fromPage(logs, started) });
    } catch (err) {
      if (!abort.signal.aborted) setError(err as Error);
    } finally {
      if (inflight.current === abort) setLoading(null);
    }
  }

  async function more() {
    if (!result?.endCursor) return;
    const abort = (inflight.current = new AbortController());
    setLoading('more');
    setError(null);
    const started = performance.now();
    try {
      const { logs } = await gql<LogsPage>(LOGS, { ...result.variables, after: result.endCursor }, abort.signal);
      setResult({
        ...result,
        // A later batch of apps may hold newer events than the batch before: keep one time order.
        events: inTimeOrder(result.events.concat(logs.edges.map((e) => e.node)), result.order),
        pages: result.pages + 1,
        ...fromPage(logs, started),
      });
    } catch (err) {
      if (!abort.signal.aborted) setError(err as Error);
    } finally {
      if (inflight.current === abort) setLoading(null);
    }
  }

  // A link or the back button brings a search of its own.
  useRouteFromOutside(route, (r) => {
    const next = settingsFrom(r.params);
    setS(next);
    void run(next);
  });

  // The first visit searches at once: at 3 a.m. the latest lines are what one wants first.
  useEffect(() => {
    void run(s);
    return () => inflight.current?.abort();
  }, []);

  const terms = splitKeywords(s.filters.keywords).include;
  const caveat = result?.hasMoreBatches ? `not loaded yet; batch ${result.batch} of ${result.batches} (likeliest apps first)` : undefined;
  return (
    <section class="view search">
      <FilterBar value={s.filters} onChange={(filters) => set({ filters })} onSubmit={() => void run(s)}>
        <RangePicker s={s} set={set} />
        <select name="order" value={s.order} onChange={(e) => set({ order: e.currentTarget.value as Order })} title="time order">
          <option value="DESC">newest first</option>
          <option value="ASC">oldest first</option>
        </select>
        <label class="check" title="search every logstore at once instead of the likeliest apps first">
          <input type="checkbox" name="all" checked={s.strategy === 'ALL'} onChange={(e) => set({ strategy: e.currentTarget.checked ? 'ALL' : 'AFFINITY' })} />
          all at once
        </label>
        <button type="submit" class="primary" disabled={loading === 'search'}>
          {loading === 'search' ? 'searching…' : 'Search'}
        </button>
      </FilterBar>
      <ErrorBanner error={error} what="search" />
      {result && (
        <>
          <div class="summary">
            <SourcesStrip sources={result.sources} label={result.pages > 1 ? `sources (page ${result.pages})` : 'sources'} />
            <span class="dim">
              {dayClock(result.range.from)} – {dayClock(result.range.to)} · {result.ms} ms
              {result.batches > 1 && ` · batch ${result.batch} of ${result.batches}`}
            </span>
          </div>
          <Histogram
            timestamps={result.events.map((e) => Date.parse(e.ts))}
            range={result.range}
            covered={covered(result)}
            caveat={caveat}
            onPick={(b) => {
              const next: Settings = { ...s, range: 'custom', custom: { from: toLocalInput(Math.floor(b.from / 60_000) * 60_000), to: toLocalInput(Math.ceil(b.to / 60_000) * 60_000) } };
              setS(next);
              void run(next);
            }}
          />
          <div class="events" data-testid="results">
            {result.events.length === 0 ? (
              <p class="empty">No events match in this range{result.sources.some((x) => x.status !== 'OK' && x.status !== 'SKIPPED') ? ' — but some sources failed, see above' : ''}.</p>
            ) : (
              result.events.map((e, i) => <EventRow key={`${e.ts}-${i}`} event={e} terms={terms} />)
            )}
          </div>
          <div class="pager">
            <span class="dim">
              {result.events.length} events loaded, {result.order === 'DESC' ? 'newest' : 'oldest'} first
            </span>
            {result.hasNextPage ? (
              <button type="button" onClick={() => void more()} disabled={loading !== null}>
                {loading === 'more' ? 'loading…' : result.hasMoreBatches ? 'load more (next batch of apps)' : `load ${PAGE} more`}
              </button>
            ) : (
              <span class="dim">— all matches loaded —</span>
            )}
          </div>
        </>
      )}
    </section>
  );
}
