// The patterns view: the commonest kinds of lines of a domain or app with counts and a
// sparkline of the last hour, kept live by the `patterns` subscription; selecting one opens its
// history, samples and annotation beside the list.

import { useEffect, useRef, useState } from 'preact/hooks';
import { gql, subscribe } from '../api/client.js';
import { PATTERNS, PATTERN_UPDATES, type PatternList, type PatternUpdate } from '../api/queries.js';
import { ago } from '../lib/time.js';
import { href, replaceRoute, useRouteFromOutside, type Route } from '../route.js';
import { choicesFor, useTopology } from '../topology.js';
import { Picker } from '../ui/filters.js';
import { ErrorBanner, Sparkline } from '../ui/misc.js';
import { PatternDetailPane } from './detail.js';
import { applyUpdates, type LivePattern } from './live.js';
import { Template } from './template.js';

type OrderBy = 'COUNT' | 'RECENT' | 'NEW';
interface Settings {
  domain: string;
  app: string;
  orderBy: OrderBy;
  text: string;
  labelled: '' | 'yes' | 'no';
}

const SPARK_MINUTES = 60;

function settingsFrom(p: URLSearchParams): Settings {
  const o = p.get('order');
  const l = p.get('labelled');
  return { domain: p.get('domain') ?? '', app: p.get('app') ?? '', orderBy: o === 'RECENT' || o === 'NEW' ? o : 'COUNT', text: p.get('text') ?? '', labelled: l === 'yes' || l === 'no' ? l : '' };
}

function settingsHref(s: Settings, id: string | null): string {
  return href('patterns', { domain: s.domain, app: s.app, order: s.orderBy === 'COUNT' ? '' : s.orderBy, text: s.text, labelled: s.labelled, id: id ?? '' });
}

function filterOf(s: Settings): Record<string, unknown> {
  const f: Record<string, unknown> = {};
  if (s.domain) f.domains = [s.domain];
  if (s.app) f.apps = [s.app];
  if (s.text) f.text = s.text;
  return f;
}

export function PatternsView({ route }: { route: Route }) {
  const { domains } = useTopology();
  const [s, setS] = useState<Settings>(() => settingsFrom(route.params));
  const [selected, setSelected] = useState<string | null>(route.params.get('id'));
  const [list, setList] = useState<LivePattern[] | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [live, setLive] = useState<'off' | 'on' | 'failed'>('off');
  const pending = useRef<PatternUpdate[]>([]);

  useEffect(() => replaceRoute(settingsHref(s, selected)), [s, selected]);
  useRouteFromOutside(route, (r) => {
    setS(settingsFrom(r.params));
    setSelected(r.params.get('id'));
  });

  // The list, read again whenever the filters change; live updates fold into it.
  useEffect(() => {
    const abort = new AbortController();
    setError(null);
    setList(null);
    pending.current = [];
    const filter = { ...filterOf(s), ...(s.labelled ? { labelled: s.labelled === 'yes' } : {}) };
    const from = new Date(Math.floor(Date.now() / 60_000) * 60_000 - (SPARK_MINUTES - 1) * 60_000).toISOString();
    gql<PatternList>(PATTERNS, { filter, orderBy: s.orderBy, first: 100, from, bucket: 1 }, abort.signal).then(
      (d) => setList(d.patterns),
      (err: Error) => !abort.signal.aborted && setError(err),
    );
    setLive('on');
    const stop = subscribe<{ patterns: PatternUpdate[] }>(PATTERN_UPDATES, { filter: filterOf(s) }, {
      next: ({ patterns }) => pending.current.push(...patterns),
      error: () => setLive('failed'),
    });
    // Batches arrive about once a second; they are folded in together, once per second.
    const timer = setInterval(() => {
      if (pending.current.length === 0) return;
      const updates = pending.current;
      pending.current = [];
      // Unannotated-only or annotated-only lists take no newcomers: a new pattern has no annotation.
      setList((cur) => (cur ? applyUpdates(cur, s.labelled === 'yes' ? updates.filter((u) => cur.some((p) => p.id === u.id)) : updates) : cur));
    }, 1000);
    return () => {
      abort.abort();
      stop();
      clearInterval(timer);
    };
  }, [s.domain, s.app, s.orderBy, s.text, s.labelled]);

  const { apps } = choicesFor(domains, s.domain);
  const set = (patch: Partial<Settings>) => setS({ ...s, ...patch });
  const now = Date.now();
  return (
    <section class={`view patterns${selected ? ' with-detail' : ''}`}>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <Picker label="domain" all="all domains" value={s.domain} options={domains.map((d) => d.name)} onChange={(domain) => set({ domain, app: '' })} />
        <Picker label="app" all="all apps" value={s.app} options={apps} onChange={(app) => set({ app })} />
        <label class="picker">
          <span>order</span>
          <select name="order" value={s.orderBy} onChange={(e) => set({ orderBy: e.currentTarget.value as OrderBy })}>
            <option value="COUNT">most events</option>
            <option value="RECENT">recently seen</option>
            <option value="NEW">newest</option>
          </select>
        </label>
        <label class="picker">
          <span>annotated</span>
          <select name="labelled" value={s.labelled} onChange={(e) => set({ labelled: e.currentTarget.value as Settings['labelled'] })}>
            <option value="">any</option>
            <option value="yes">annotated</option>
            <option value="no">not yet</option>
          </select>
        </label>
        <label class="keywords">
          <input type="search" name="text" placeholder="template contains…" value={s.text} onChange={(e) => set({ text: e.currentTarget.value })} />
        </label>
        <span class={`live-flag ${live}`} title="counts update as the live miner sees lines">
          {live === 'on' ? '● live' : live === 'failed' ? '○ live updates failed: reload to retry' : ''}
        </span>
      </form>
      <ErrorBanner error={error} what="patterns" />
      <div class="split">
        <div class="pattern-list" data-testid="pattern-list">
          {list === null && !error && <p class="empty">loading…</p>}
          {list?.length === 0 && <p class="empty">No patterns yet for this choice: patterns are mined from the live stream as lines arrive.</p>}
          {list && list.length > 0 && (
            <table>
              <thead>
                <tr>
                  <th class="num">events</th>
                  <th>last {SPARK_MINUTES} m</th>
                  <th>template</th>
                  {!s.app && <th>app</th>}
                  <th>last seen</th>
                </tr>
              </thead>
              <tbody>
                {list.map((p) => (
                  <tr key={p.id} class={`${p.id === selected ? 'sel' : ''}${p.fresh ? ' fresh' : ''}`} data-id={p.id} onClick={() => setSelected(p.id)}>
                    <td class="num">
                      {p.count.toLocaleString()}
                      {(p.recent ?? 0) > 0 && <small class="delta">+{p.recent}</small>}
                    </td>
                    <td class="spark-cell">
                      <Sparkline counts={p.histogram.map((b) => b.count)} title={`${p.histogram.reduce((n, b) => n + b.count, 0)} events in the last ${SPARK_MINUTES} minutes`} />
                    </td>
                    <td class="template">
                      {p.fresh && <span class="badge new">new</span>}
                      {p.annotation?.label && <span class="badge label">{p.annotation.label}</span>}
                      <Template text={p.template} />
                    </td>
                    {!s.app && (
                      <td class="dim">
                        {p.domain}/{p.app}
                      </td>
                    )}
                    <td class="dim nowrap">{ago(Date.parse(p.lastSeen), now)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
        {selected && (
          <PatternDetailPane
            key={selected}
            id={selected}
            onClose={() => setSelected(null)}
            onAnnotated={(id, annotation) => setList((cur) => cur?.map((p) => (p.id === id ? { ...p, annotation } : p)) ?? cur)}
          />
        )}
      </div>
    </section>
  );
}
