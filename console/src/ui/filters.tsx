// The filter bar shared by search and live tail: domain / env / app pickers fed by the topology,
// the keyword box (terms, "phrases", -exclusions) with what it will match spelled out, and
// level toggles. Views add their own controls (time range, start/pause) as children.

import type { ComponentChildren } from 'preact';
import { splitKeywords } from '../lib/keywords.js';
import { choicesFor, useTopology } from '../topology.js';

export const LEVELS = ['ERROR', 'WARN', 'INFO', 'DEBUG'] as const;

export interface Filters {
  domain: string;
  env: string;
  app: string;
  keywords: string;
  /** Empty: every level. */
  levels: string[];
}

export function filtersFromParams(p: URLSearchParams): Filters {
  return {
    domain: p.get('domain') ?? '',
    env: p.get('env') ?? '',
    app: p.get('app') ?? '',
    keywords: p.get('q') ?? '',
    levels: (p.get('levels') ?? '').split(',').filter(Boolean),
  };
}

export function filtersToParams(f: Filters): Record<string, string | string[]> {
  return { domain: f.domain, env: f.env, app: f.app, q: f.keywords, levels: f.levels };
}

/** The part of LogQuery and TailFilter the bar decides (the two inputs share these fields). */
export function filterInput(f: Filters): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  if (f.domain) input.domains = [f.domain];
  if (f.env) input.envs = [f.env];
  if (f.app) input.apps = [f.app];
  if (f.keywords.trim()) input.keywords = f.keywords.trim();
  if (f.levels.length) input.levels = f.levels;
  return input;
}

export function Picker(props: { label: string; value: string; options: string[]; onChange: (v: string) => void; all: string }) {
  return (
    <label class="picker">
      <span>{props.label}</span>
      <select name={props.label} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        <option value="">{props.all}</option>
        {props.options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
        {props.value && !props.options.includes(props.value) && <option value={props.value}>{props.value}</option>}
      </select>
    </label>
  );
}

function KeywordHint({ keywords }: { keywords: string }) {
  const { include, exclude } = splitKeywords(keywords);
  if (!include.length && !exclude.length) return <span class="hint">terms, "a phrase", -exclude · case-sensitive</span>;
  return (
    <span class="hint">
      {include.length > 0 && <>all of {include.map((t) => <code key={t}>{t}</code>)}</>}
      {exclude.length > 0 && <> none of {exclude.map((t) => <code key={t} class="excl">{t}</code>)}</>}
    </span>
  );
}

export function FilterBar(props: {
  value: Filters;
  onChange: (f: Filters) => void;
  onSubmit: () => void;
  /** The view's own controls: time range and search, start and pause. */
  children?: ComponentChildren;
}) {
  const { domains } = useTopology();
  const f = props.value;
  const { envs, apps } = choicesFor(domains, f.domain);
  const set = (patch: Partial<Filters>) => props.onChange({ ...f, ...patch });
  const toggle = (level: string) => set({ levels: f.levels.includes(level) ? f.levels.filter((l) => l !== level) : [...f.levels, level] });
  return (
    <form
      class="filters"
      onSubmit={(e) => {
        e.preventDefault();
        props.onSubmit();
      }}
    >
      <Picker label="domain" all="all domains" value={f.domain} options={domains.map((d) => d.name)} onChange={(domain) => set({ domain, env: '', app: '' })} />
      <Picker label="env" all="all envs" value={f.env} options={envs} onChange={(env) => set({ env })} />
      <Picker label="app" all="all apps" value={f.app} options={apps} onChange={(app) => set({ app })} />
      <label class="keywords">
        <input
          type="search"
          name="keywords"
          placeholder='keywords: payment "lock wait" -DEBUG'
          value={f.keywords}
          onInput={(e) => set({ keywords: e.currentTarget.value })}
          autoComplete="off"
          spellcheck={false}
        />
        <KeywordHint keywords={f.keywords} />
      </label>
      <span class="levels" role="group" aria-label="levels">
        {LEVELS.map((l) => (
          <button type="button" key={l} class={`lvl-toggle lvl-${l}${f.levels.includes(l) ? ' on' : ''}`} aria-pressed={f.levels.includes(l)} onClick={() => toggle(l)}>
            {l}
          </button>
        ))}
      </span>
      {props.children}
    </form>
  );
}
