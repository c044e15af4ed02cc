// One log event as a dense row: time, level, where it came from, its trace id as a link to the
// trace view, and the message. A multi-line message (a stack trace) shows its first line until
// clicked. Used by search results, trace hops and the live tail.

import { useState } from 'preact/hooks';
import type { LogEvent } from '../api/queries.js';
import { highlight } from '../lib/keywords.js';
import { clock } from '../lib/time.js';
import { traceHref } from '../route.js';

export function levelClass(level?: string | null): string {
  const l = (level ?? '').toUpperCase();
  if (l === 'ERROR' || l === 'FATAL' || l === 'CRITICAL') return 'lvl-ERROR';
  if (l === 'WARN' || l === 'WARNING') return 'lvl-WARN';
  if (l === 'INFO') return 'lvl-INFO';
  return 'lvl-DEBUG';
}

function Marked({ text, terms }: { text: string; terms: readonly string[] }) {
  return (
    <>
      {highlight(text, terms).map((s, i) => (s.hit ? <mark key={i}>{s.text}</mark> : s.text))}
    </>
  );
}

export function EventRow(props: { event: LogEvent; terms?: readonly string[]; showDomain?: boolean }) {
  const e = props.event;
  const terms = props.terms ?? [];
  const [open, setOpen] = useState(false);
  const nl = e.message.indexOf('\n');
  const multi = nl >= 0;
  const more = multi ? e.message.split('\n').length - 1 : 0;
  const ts = Date.parse(e.ts);
  return (
    <div class={`ev ${levelClass(e.level)}${open ? ' open' : ''}`} data-ts={e.ts}>
      <time class="ev-ts" dateTime={e.ts} title={e.ts}>
        {clock(ts)}
      </time>
      <span class="ev-lvl">{(e.level ?? '-').slice(0, 5)}</span>
      <span class="ev-src" title={`${e.domain} / ${e.env} / ${e.app} / ${e.file}${e.host ? ` on ${e.host}` : ''}`}>
        {props.showDomain !== false && <span class="ev-dom">{e.domain}</span>}
        {e.app}
      </span>
      <span class="ev-trace">{e.traceId ? <a href={traceHref(e.traceId, e.domain, e.ts)} title={`trace ${e.traceId} across domains`}>{e.traceId}</a> : null}</span>
      {multi ? (
        <button type="button" class="ev-msg multi" aria-expanded={open} onClick={() => setOpen(!open)} title={open ? 'collapse' : `show ${more} more lines`}>
          {open ? <pre><Marked text={e.message} terms={terms} /></pre> : <><Marked text={e.message.slice(0, nl)} terms={terms} /><span class="more">+{more}</span></>}
        </button>
      ) : (
        <span class="ev-msg">
          <Marked text={e.message} terms={terms} />
        </span>
      )}
    </div>
  );
}
